"""Hand-made ``module_announced`` events, published the way a module's Announcer does."""

from datetime import datetime

from contracts.events import envelope
from contracts.modules import SOURCE
from tests.integration.helpers import publish_event

DINSOS = {"code": "dinsos", "name_id": "Dinas Sosial", "name_en": "Social affairs office"}


def offered(code: str, name_id: str, name_en: str, queue: dict | None = None, **extra) -> dict:
    return {
        "code": code,
        "name_id": name_id,
        "name_en": name_en,
        "form": [{"name": "nik", "type": "nik", "label_id": "NIK", "label_en": "NIK"}],
        "service_level_days": 14,
        "queue": queue,
        "description_id": f"Layanan {name_id}.",
        "description_en": f"The {name_en} service.",
        **extra,
    }


PKH = offered(
    "pkh",
    "Program Keluarga Harapan",
    "Family hope programme",
    {"prefix": "S", "counters": 2},
    description_id="Bantuan tunai bersyarat bagi keluarga miskin.",
    description_en="Conditional cash transfer for poor families.",
    life_events=["hardship"],
)
DISABILITY_CARD = offered("disability_card", "Kartu Disabilitas", "Disability card")


def manifest(module: str = "social_aid", agency: dict = DINSOS, services=None, **extra) -> dict:
    return {
        "module": module,
        "version": "1.0.0",
        "agency": agency,
        "services": services if services is not None else [PKH, DISABILITY_CARD],
        **extra,
    }


def announcement(
    manifest_: dict, interval_seconds: int = 10, occurred_at: datetime | None = None
) -> dict:
    event = envelope(
        SOURCE,
        "module_announced",
        {"manifest": manifest_, "interval_seconds": interval_seconds},
        None,
    )
    if occurred_at is not None:
        event["occurred_at"] = occurred_at.isoformat()
    return event


def announce(config: dict, manifest_: dict, **kwargs) -> dict:
    event = announcement(manifest_, **kwargs)
    publish_event(config, event)
    return event
