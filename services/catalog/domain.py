"""The catalog's rules, free of any framework: what each service of the mall looks like as a
catalog entry, which life events it belongs to, when a module counts as alive, and search.

    entries = registry_entries() + permit_entries(types) + module_entries(manifest, True)
    search(entries, q="akta", agency=None, life_event="birth")
"""

from datetime import datetime, timedelta

MISSED_ANNOUNCEMENTS = 3  # a module is unavailable after this many intervals of silence
KIND_ORDER = {"registry": 0, "permit": 1, "module": 2, "queue": 3}
REGISTRY_AGENCY = "disdukcapil"


def _entry(kind: str, code: str, module: str | None = None, **fields) -> dict:
    return {
        "kind": kind,
        "code": code,
        "module": module,
        "description_id": "",
        "description_en": "",
        "agency": None,
        "life_events": [],
        "available": True,
        **fields,
    }


# --- the civil registry: a curated list (its services are code, not data) ---------------

REGISTRY_SERVICES = [
    {
        "code": "birth_certificate",
        "name_id": "Akta Kelahiran",
        "name_en": "Birth certificate",
        "description_id": "Pencatatan kelahiran: anak mendapat NIK, akta kelahiran dan "
        "tempat di Kartu Keluarga ibunya.",
        "description_en": "Register a birth: the child gets an NIK, a birth certificate and a "
        "place on the mother's family card.",
        "life_events": ["birth"],
        "apply_path": "/api/v1/births",
    },
    {
        "code": "death_certificate",
        "name_id": "Akta Kematian",
        "name_en": "Death certificate",
        "description_id": "Pencatatan kematian dan penerbitan akta kematian.",
        "description_en": "Register a death and issue the death certificate.",
        "life_events": ["death"],
        "apply_path": "/api/v1/deaths",
    },
    {
        "code": "marriage_certificate",
        "name_id": "Akta Perkawinan",
        "name_en": "Marriage certificate",
        "description_id": "Pencatatan perkawinan (usia minimal 19 tahun), dengan Kartu "
        "Keluarga baru bila diminta.",
        "description_en": "Register a marriage (both at least 19 years old), with a new family "
        "card on request.",
        "life_events": ["marriage"],
        "apply_path": "/api/v1/marriages",
    },
    {
        "code": "family_card",
        "name_id": "Kartu Keluarga (KK)",
        "name_en": "Family card",
        "description_id": "Penerbitan Kartu Keluarga baru.",
        "description_en": "Issue a new family card.",
        "life_events": ["marriage", "moving"],
        "apply_path": "/api/v1/family-cards",
    },
    {
        "code": "change_of_address",
        "name_id": "Pindah Alamat",
        "name_en": "Change of address",
        "description_id": "Pindah ke Kartu Keluarga dan alamat lain.",
        "description_en": "Move to another family card and address.",
        "life_events": ["moving"],
        "apply_path": "/api/v1/residents/{resident_id}/moves",
    },
    {
        "code": "resident_registration",
        "name_id": "Pendaftaran Penduduk (NIK)",
        "name_en": "Resident registration (NIK)",
        "description_id": "Pendaftaran penduduk dengan Nomor Induk Kependudukan.",
        "description_en": "Register a resident with a population identity number (NIK).",
        "life_events": ["moving"],
        "apply_path": "/api/v1/residents",
    },
    {
        "code": "certificate_verification",
        "name_id": "Verifikasi Akta",
        "name_en": "Certificate verification",
        "description_id": "Periksa keaslian akta dengan nomor dan kode periksanya.",
        "description_en": "Check that a certificate is genuine from its number and check code.",
        "life_events": [],
        "apply_path": "/api/v1/certificates/verification",
    },
]

# --- the mall's agencies: those of the core services and counters (modules bring theirs) ---

AGENCIES = [
    {
        "code": "disdukcapil",
        "name_id": "Dinas Kependudukan dan Pencatatan Sipil",
        "name_en": "Population and civil registration office",
    },
    {
        "code": "dpmptsp",
        "name_id": "Dinas Penanaman Modal dan PTSP",
        "name_en": "Investment and one-door licensing office",
    },
    {
        "code": "dpupr",
        "name_id": "Dinas Pekerjaan Umum dan Penataan Ruang",
        "name_en": "Public works and spatial planning office",
    },
    {"code": "dinkes", "name_id": "Dinas Kesehatan", "name_en": "Health office"},
    {"code": "bapenda", "name_id": "Badan Pendapatan Daerah", "name_en": "Regional revenue"},
    {"code": "bpjs", "name_id": "BPJS Kesehatan", "name_en": "National health insurance"},
]


def agencies(module_agencies: list[dict]) -> list[dict]:
    """Every agency of the mall, by code: the core ones, then those of the modules that
    have announced themselves (whether alive now or not: their staff still belong)."""
    found = {agency["code"]: dict(agency) for agency in AGENCIES}
    for agency in module_agencies:
        found.setdefault(agency["code"], {k: agency[k] for k in ("code", "name_id", "name_en")})
    return sorted(found.values(), key=lambda agency: agency["code"])


# --- life events of the core services (modules declare their own) -----------------------

PERMIT_LIFE_EVENTS = {
    "NIB": ["business"],
    "SIUP": ["business"],
    "REKLAME": ["business"],
    "PBG": ["building"],
    "SLF": ["building"],
    "SIP": ["health", "work"],
}
QUEUE_LIFE_EVENTS = {
    "population": ["birth", "death", "marriage", "moving"],
    "licensing": ["business", "building"],
    "tax": ["tax"],
    "health": ["health"],
}


def registry_entries() -> list[dict]:
    return [
        _entry("registry", agency=REGISTRY_AGENCY, **{**s, "life_events": list(s["life_events"])})
        for s in REGISTRY_SERVICES
    ]


def _rupiah(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def permit_entries(permit_types: list[dict]) -> list[dict]:
    """Licensing's permit types (``licensing.list_permit_types``) as catalog entries."""
    entries = []
    for permit in permit_types:
        days, fee, months = permit["sla_working_days"], permit["fee"], permit["validity_months"]
        fee_id = f"biaya Rp {_rupiah(fee)}" if fee else "tanpa biaya"
        fee_en = f"fee IDR {fee:,}" if fee else "no fee"
        valid_id = f", berlaku {months} bulan" if months else ""
        valid_en = f", valid for {months} months" if months else ""
        entries.append(
            _entry(
                "permit",
                permit["code"],
                name_id=permit["name_id"],
                name_en=permit["name_en"],
                description_id=f"Izin {permit['code']}: selesai dalam {days} hari kerja, "
                f"{fee_id}{valid_id}.",
                description_en=f"{permit['code']} permit: decided within {days} working days, "
                f"{fee_en}{valid_en}.",
                agency=permit["agency"],
                life_events=PERMIT_LIFE_EVENTS.get(permit["code"], []),
                apply_path="/api/v1/applications",
            )
        )
    return entries


def module_entries(manifest: dict, available: bool) -> list[dict]:
    """Every service a module's manifest offers."""
    module = manifest["module"]
    return [
        _entry(
            "module",
            service["code"],
            module,
            name_id=service["name_id"],
            name_en=service["name_en"],
            description_id=service.get("description_id") or "",
            description_en=service.get("description_en") or "",
            agency=manifest["agency"]["code"],
            life_events=list(service.get("life_events") or []),
            available=available,
            apply_path=f"/api/v1/modules/{module}/applications",
        )
        for service in manifest["services"]
    ]


def queue_entries(service_lines: list[dict], manifests: dict[str, dict]) -> list[dict]:
    """The queue's service lines (``queue.list_service_lines``): a walk-in ticket each.

    A line the queue made for a module (code ``<module>.<service>``) takes the module's
    name and life events from its manifest.
    """
    offered = {
        f"{name}.{service['code']}"[:40]: (name, service)
        for name, manifest in manifests.items()
        for service in manifest["services"]
    }
    entries = []
    for line in service_lines:
        module, service = offered.get(line["code"], (None, {}))
        entries.append(
            _entry(
                "queue",
                line["code"],
                module,
                name_id=f"Antrean {line['name_id']}",
                name_en=f"Queue ticket: {line['name_en']}",
                description_id=f"Ambil nomor antrean loket {line['name_id']} "
                f"(seri {line['prefix']}).",
                description_en=f"Take a ticket for the {line['name_en']} counters "
                f"(series {line['prefix']}).",
                agency=line.get("agency"),
                life_events=list(
                    service.get("life_events") or QUEUE_LIFE_EVENTS.get(line["code"], [])
                ),
                apply_path="/api/v1/tickets",
            )
        )
    return entries


# --- liveness -------------------------------------------------------------------------


def seen_at(occurred_at: str | None, received_at: datetime) -> datetime:
    """When an announcement counts as seen: when it was sent, but never in the future.

    A backlog delivered late (the catalog was down) must not make a dead module look
    alive, and a module's clock running ahead must not keep it alive for longer.
    """
    try:
        sent = datetime.fromisoformat(occurred_at) if occurred_at else received_at
    except ValueError:
        return received_at
    if sent.tzinfo is None:
        return received_at
    return min(sent, received_at)


def is_available(last_seen: datetime, interval_seconds: int, now: datetime) -> bool:
    """A module is alive until ``MISSED_ANNOUNCEMENTS`` intervals pass without a word."""
    return now - last_seen <= timedelta(seconds=MISSED_ANNOUNCEMENTS * interval_seconds)


# --- search ---------------------------------------------------------------------------


def matches(
    entry: dict, q: str | None = None, agency: str | None = None, life_event: str | None = None
) -> bool:
    """Every word of ``q`` appears, in any case, in the entry's Indonesian or English name or
    description; the agency and the life event, when given, are the entry's."""
    if agency and entry["agency"] != agency:
        return False
    if life_event and life_event not in entry["life_events"]:
        return False
    text = " ".join(
        entry[key] or "" for key in ("name_id", "name_en", "description_id", "description_en")
    ).casefold()
    return all(word in text for word in (q or "").casefold().split())


def search(
    entries: list[dict],
    q: str | None = None,
    agency: str | None = None,
    life_event: str | None = None,
) -> list[dict]:
    """The entries that match, core services first, then modules, then queue tickets."""
    found = [e for e in entries if matches(e, q, agency, life_event)]
    return sorted(found, key=lambda e: (KIND_ORDER[e["kind"]], e["module"] or "", e["code"]))
