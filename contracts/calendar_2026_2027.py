"""The mall's calendar as shipped: Indonesia's national holidays and collective leave days
(cuti bersama) of 2026 and 2027. The migrations of the catalog (which owns the calendar)
and of its replicas in the queue and licensing seed from this list, all at version 1, so
each works before any ``calendar_changed`` event arrives.

Frozen: migrations that ran must stay reproducible. Later changes (the 2027 decree, a
regional holiday, a moved Eid) are made by a mall administrator through the calendar API.

2026 is the joint ministerial decree (SKB 3 Menteri: Menteri Agama, Menteri
Ketenagakerjaan, Menteri PANRB) No. 1497/2025, 2/2025, 5/2025 of 19 September 2025: 17
national holidays and 8 collective leave days.

2027 had no decree when this was written: the fixed days (New Year, Labour Day, Pancasila,
Independence, Christmas) and the computed ones (Easter, Ascension, Imlek) are certain; the
Islamic days, Nyepi and Waisak follow the moon and are ``provisional`` estimates until the
decree (and the Minister of Religious Affairs' sighting) fixes them; no collective leave is
shipped for 2027 because only the decree can set it.
"""

NATIONAL = "national_holiday"
REGIONAL = "regional_holiday"
COLLECTIVE = "collective_leave"

# (date, kind, name_id, name_en, provisional)
DAYS: tuple[tuple[str, str, str, str, bool], ...] = (
    # --- 2026 (SKB 1497/2025, 2/2025, 5/2025) ---
    ("2026-01-01", NATIONAL, "Tahun Baru 2026 Masehi", "New Year's Day 2026", False),
    (
        "2026-01-16",
        NATIONAL,
        "Isra Mikraj Nabi Muhammad SAW",
        "Isra Mi'raj of the Prophet Muhammad",
        False,
    ),
    (
        "2026-02-16",
        COLLECTIVE,
        "Cuti bersama Tahun Baru Imlek",
        "Collective leave: Chinese New Year",
        False,
    ),
    ("2026-02-17", NATIONAL, "Tahun Baru Imlek 2577 Kongzili", "Chinese New Year 2577", False),
    ("2026-03-18", COLLECTIVE, "Cuti bersama Hari Suci Nyepi", "Collective leave: Nyepi", False),
    (
        "2026-03-19",
        NATIONAL,
        "Hari Suci Nyepi (Tahun Baru Saka 1948)",
        "Nyepi, Saka New Year 1948",
        False,
    ),
    (
        "2026-03-20",
        COLLECTIVE,
        "Cuti bersama Idulfitri 1447 H",
        "Collective leave: Eid al-Fitr",
        False,
    ),
    ("2026-03-21", NATIONAL, "Idulfitri 1447 H", "Eid al-Fitr 1447", False),
    (
        "2026-03-22",
        NATIONAL,
        "Idulfitri 1447 H (hari kedua)",
        "Eid al-Fitr 1447 (second day)",
        False,
    ),
    (
        "2026-03-23",
        COLLECTIVE,
        "Cuti bersama Idulfitri 1447 H",
        "Collective leave: Eid al-Fitr",
        False,
    ),
    (
        "2026-03-24",
        COLLECTIVE,
        "Cuti bersama Idulfitri 1447 H",
        "Collective leave: Eid al-Fitr",
        False,
    ),
    ("2026-04-03", NATIONAL, "Wafat Yesus Kristus", "Good Friday", False),
    ("2026-04-05", NATIONAL, "Kebangkitan Yesus Kristus (Paskah)", "Easter Sunday", False),
    ("2026-05-01", NATIONAL, "Hari Buruh Internasional", "International Labour Day", False),
    ("2026-05-14", NATIONAL, "Kenaikan Yesus Kristus", "Ascension of Jesus Christ", False),
    (
        "2026-05-15",
        COLLECTIVE,
        "Cuti bersama Kenaikan Yesus Kristus",
        "Collective leave: Ascension Day",
        False,
    ),
    ("2026-05-27", NATIONAL, "Iduladha 1447 H", "Eid al-Adha 1447", False),
    (
        "2026-05-28",
        COLLECTIVE,
        "Cuti bersama Iduladha 1447 H",
        "Collective leave: Eid al-Adha",
        False,
    ),
    ("2026-05-31", NATIONAL, "Hari Raya Waisak 2570 BE", "Vesak Day 2570", False),
    ("2026-06-01", NATIONAL, "Hari Lahir Pancasila", "Pancasila Day", False),
    ("2026-06-16", NATIONAL, "1 Muharam Tahun Baru Islam 1448 H", "Islamic New Year 1448", False),
    (
        "2026-08-17",
        NATIONAL,
        "Proklamasi Kemerdekaan Republik Indonesia",
        "Independence Day",
        False,
    ),
    ("2026-08-25", NATIONAL, "Maulid Nabi Muhammad SAW", "Birthday of the Prophet Muhammad", False),
    (
        "2026-12-24",
        COLLECTIVE,
        "Cuti bersama Kelahiran Yesus Kristus",
        "Collective leave: Christmas",
        False,
    ),
    ("2026-12-25", NATIONAL, "Kelahiran Yesus Kristus", "Christmas Day", False),
    # --- 2027 (no decree yet: provisional days are estimates) ---
    ("2027-01-01", NATIONAL, "Tahun Baru 2027 Masehi", "New Year's Day 2027", False),
    (
        "2027-01-05",
        NATIONAL,
        "Isra Mikraj Nabi Muhammad SAW (perkiraan)",
        "Isra Mi'raj of the Prophet Muhammad (estimate)",
        True,
    ),
    ("2027-02-06", NATIONAL, "Tahun Baru Imlek 2578 Kongzili", "Chinese New Year 2578", False),
    (
        "2027-03-09",
        NATIONAL,
        "Hari Suci Nyepi (Tahun Baru Saka 1949) (perkiraan)",
        "Nyepi, Saka New Year 1949 (estimate)",
        True,
    ),
    ("2027-03-10", NATIONAL, "Idulfitri 1448 H (perkiraan)", "Eid al-Fitr 1448 (estimate)", True),
    (
        "2027-03-11",
        NATIONAL,
        "Idulfitri 1448 H, hari kedua (perkiraan)",
        "Eid al-Fitr 1448, second day (estimate)",
        True,
    ),
    ("2027-03-26", NATIONAL, "Wafat Yesus Kristus", "Good Friday", False),
    ("2027-03-28", NATIONAL, "Kebangkitan Yesus Kristus (Paskah)", "Easter Sunday", False),
    ("2027-05-01", NATIONAL, "Hari Buruh Internasional", "International Labour Day", False),
    ("2027-05-06", NATIONAL, "Kenaikan Yesus Kristus", "Ascension of Jesus Christ", False),
    ("2027-05-16", NATIONAL, "Iduladha 1448 H (perkiraan)", "Eid al-Adha 1448 (estimate)", True),
    (
        "2027-05-20",
        NATIONAL,
        "Hari Raya Waisak 2571 BE (perkiraan)",
        "Vesak Day 2571 (estimate)",
        True,
    ),
    ("2027-06-01", NATIONAL, "Hari Lahir Pancasila", "Pancasila Day", False),
    (
        "2027-06-06",
        NATIONAL,
        "1 Muharam Tahun Baru Islam 1449 H (perkiraan)",
        "Islamic New Year 1449 (estimate)",
        True,
    ),
    (
        "2027-08-15",
        NATIONAL,
        "Maulid Nabi Muhammad SAW (perkiraan)",
        "Birthday of the Prophet Muhammad (estimate)",
        True,
    ),
    (
        "2027-08-17",
        NATIONAL,
        "Proklamasi Kemerdekaan Republik Indonesia",
        "Independence Day",
        False,
    ),
    ("2027-12-25", NATIONAL, "Kelahiran Yesus Kristus", "Christmas Day", False),
)


def seed_rows() -> list[dict]:
    """The shipped days as rows of a calendar table (``chassis.calendar.CalendarDayMixin``)."""
    from datetime import date

    return [
        {
            "day": date.fromisoformat(day),
            "kind": kind,
            "name_id": name_id,
            "name_en": name_en,
            "region": None,
            "provisional": provisional,
            "version": 1,
            "removed": False,
        }
        for day, kind, name_id, name_en, provisional in DAYS
    ]
