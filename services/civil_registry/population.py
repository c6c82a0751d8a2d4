"""A synthetic population of one regency, for demos and benchmarks: residents, family cards
(KK) and their memberships, the same for the same seed.

    python -m services.civil_registry.population --seed 7 --families 500 \
        [--regency 3314] [--config config/civil_registry.yaml]

Every draw comes from one ``random.Random(seed)`` and ages are counted to a fixed
``REFERENCE_DATE`` (not today), so a seed always gives the same people, ids and numbers.
NIKs are valid (``domain.nik_problems``) and unique: the serial counts up per region and
birth-date part. A KK number is the family's district, the card's date of issue (DDMMYY)
and a serial.
"""

import argparse
import random
import sys
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from chassis.config import config_path, load_config
from chassis.database import make_engine, session_factory
from services.civil_registry import domain
from services.civil_registry.domain import FEMALE, MALE
from services.civil_registry.models import FamilyCard, FamilyMembership, Resident
from services.civil_registry.regions import DISTRICTS, REGENCIES

REFERENCE_DATE = date(2026, 1, 1)  # "now" for ages; nobody is born on or after it
MOTHER_MIN_AGE = 19
MOTHER_MAX_AGE = 44
CHILD_MAX_AGE = 30  # older children have usually left for a card of their own
OLDEST = 95
FIRST_CARD_ISSUED = date(2005, 1, 1)
SERIAL_MAX = 9999

GIVEN_NAMES = {
    MALE: (
        "Budi", "Agus", "Joko", "Slamet", "Eko", "Bambang", "Sugeng", "Heru", "Wahyu", "Teguh",
        "Hadi", "Dwi", "Tri", "Adi", "Rudi", "Yanto", "Bayu", "Arif", "Dimas", "Fajar",
        "Rizky", "Andi", "Gatot", "Sigit",
    ),
    FEMALE: (
        "Siti", "Sri", "Dewi", "Rina", "Ayu", "Endang", "Wulan", "Sari", "Ratna", "Yuni",
        "Puji", "Nur", "Indah", "Putri", "Fitri", "Dian", "Anisa", "Retno", "Tutik", "Eni",
        "Winarti", "Lina", "Nanik", "Desi",
    ),
}  # fmt: skip
SECOND_NAMES = {
    MALE: (
        "Santoso", "Wibowo", "Setiawan", "Prasetyo", "Nugroho", "Saputra", "Susanto",
        "Hidayat", "Purnomo", "Kurniawan", "Widodo", "Suryono", "Pranoto", "Utomo", "Sutrisno",
    ),
    FEMALE: (
        "Rahayu", "Lestari", "Wulandari", "Handayani", "Susanti", "Astuti", "Purwanti",
        "Kusumawati", "Sulistyowati", "Wahyuni", "Rahmawati", "Suryani", "Ningsih", "Pratiwi",
    ),
}  # fmt: skip
# Many Javanese of the older generation have a single name.
OLD_SINGLE_NAMES = {
    MALE: ("Paiman", "Sukiman", "Wagiman", "Sastro", "Karto", "Paijo", "Ngadiman"),
    FEMALE: ("Sukinem", "Painem", "Tukiyem", "Sumarni", "Wagirah", "Tumini", "Paini"),
}
STREETS = (
    "Raya Sukowati", "Veteran", "Diponegoro", "Sudirman", "Ahmad Yani", "Gatot Subroto",
    "Sultan Agung", "Pahlawan", "Kartini", "Cut Nyak Dien", "Merdeka", "Mawar", "Melati",
    "Anggrek", "Kenanga", "Flamboyan", "Cempaka", "Pemuda", "Gajah Mada", "Slamet Riyadi",
)  # fmt: skip
ELSEWHERE = (
    "Surakarta", "Karanganyar", "Boyolali", "Ngawi", "Klaten", "Semarang", "Yogyakarta",
    "Jakarta", "Grobogan", "Sukoharjo", "Wonogiri", "Madiun",
)  # fmt: skip


@dataclass
class Population:
    """ORM rows ready to add: residents first, then cards (head_id), then memberships."""

    seed: int
    regency: str
    residents: list[Resident] = field(default_factory=list)
    cards: list[FamilyCard] = field(default_factory=list)
    memberships: list[FamilyMembership] = field(default_factory=list)


class PopulationCollision(Exception):
    """The database already holds some of the population's NIKs or family card numbers."""

    def __init__(self, population: Population, niks: list[str], card_numbers: list[str]):
        self.niks, self.card_numbers = niks, card_numbers
        taken = []
        if niks:
            example = domain.mask_nik(niks[0])
            taken.append(f"{len(niks)} of its {len(population.residents)} NIKs (e.g. {example})")
        if card_numbers:
            taken.append(f"{len(card_numbers)} of its {len(population.cards)} family card numbers")
        if len(niks) == len(population.residents):
            why = "It was loaded before."
        else:
            why = (
                "Another population is there: serials start at 0001 for every region and"
                " birth date, so populations of different seeds overlap."
            )
        super().__init__(
            f"refusing to load the population of seed {population.seed}: the database already"
            f" has {' and '.join(taken)}. {why} Load it into an empty database."
            " Nothing was written."
        )


class NotMigrated(Exception):
    """The database has no civil registry tables yet."""


def generate(
    seed: int, families: int, regency: str = "3314", *, taken: Iterable[str] = ()
) -> Population:
    """``families`` households of ``regency``, the same for the same seed (and ``taken``).

    ``taken``: NIKs already in use (e.g. hand-written demo residents) that must be skipped.
    """
    if regency not in REGENCIES:
        raise ValueError(f"unknown regency {regency}: choose one of {', '.join(REGENCIES)}")
    if families < 0:
        raise ValueError("families must not be negative")
    districts = sorted(code for code in DISTRICTS if code.startswith(regency))
    if not districts:
        raise ValueError(f"regency {regency} has no districts in the regions table")
    return _Generator(random.Random(seed), seed, regency, districts, set(taken)).run(families)


class _Generator:
    def __init__(
        self, rng: random.Random, seed: int, regency: str, districts: list[str], taken: set[str]
    ):
        self.rng, self.districts, self.taken = rng, districts, taken
        self.population = Population(seed=seed, regency=regency)
        self.home_town = REGENCIES[regency].removeprefix("Kabupaten ").removeprefix("Kota ")
        self.nik_serials: Counter[str] = Counter()
        self.card_serials: Counter[str] = Counter()

    def run(self, families: int) -> Population:
        for _ in range(families):
            self.family()
        return self.population

    # --- one household -------------------------------------------------------------------

    def family(self) -> None:
        rng = self.rng
        district = rng.choice(self.districts)
        card = FamilyCard(
            id=self.new_id(),
            number=self.card_number(district),
            region_code=district,
            address=self.address(district),
        )
        self.population.cards.append(card)

        married = rng.random() < 0.8
        if married:
            head_sex = MALE if rng.random() < 0.95 else FEMALE
            head_status = "married"
        else:
            head_sex = FEMALE if rng.random() < 0.6 else MALE
            head_status = rng.choices(["widowed", "divorced", "single"], [55, 30, 15])[0]
        head_age = rng.randint(25, 70)
        head = self.person(district, head_sex, self.born_aged(head_age), head_status)
        card.head_id = head.id
        self.join(head, card, "head")

        mother = head if head_sex == FEMALE else None
        if married:
            spouse_sex = FEMALE if head_sex == MALE else MALE
            offset = rng.randint(-8, 3) if spouse_sex == FEMALE else rng.randint(-3, 8)
            spouse_age = max(21, min(75, head_age + offset))
            # some spouses were registered in the district they grew up in
            spouse_district = district if rng.random() < 0.8 else rng.choice(self.districts)
            spouse = self.person(spouse_district, spouse_sex, self.born_aged(spouse_age), "married")
            self.join(spouse, card, "spouse")
            if spouse_sex == FEMALE:
                mother = spouse

        if head_status != "single":
            # without a mother on the card, the head's age bounds the children's
            parent_birth = (mother or head).birth_date
            count = rng.choices([0, 1, 2, 3, 4], [15, 25, 30, 20, 10])[0]
            for birth_date in self.children_born(parent_birth, count):
                child = self.person(district, rng.choice([MALE, FEMALE]), birth_date, "single")
                child.birth_place = self.home_town
                self.join(child, card, "child")

        if rng.random() < 0.12 and head_age + 20 <= OLDEST:
            # a widowed parent of the head, at least 20 years older
            parent_age = head_age + rng.randint(20, min(35, OLDEST - head_age))
            parent_sex = FEMALE if rng.random() < 0.7 else MALE
            parent = self.person(
                district, parent_sex, self.born_aged(parent_age), "widowed", old=True
            )
            self.join(parent, card, "parent")

        if rng.random() < 0.04:
            # a niece, a nephew or a helper living in
            other = self.person(
                district, rng.choice([MALE, FEMALE]), self.born_aged(rng.randint(15, 30)), "single"
            )
            self.join(other, card, "other")

    def children_born(self, parent_birth: date, count: int) -> Iterator[date]:
        """Up to ``count`` birth dates, in order, while the mother is 19 to 44."""
        low = max(
            _add_years(parent_birth, MOTHER_MIN_AGE),
            _add_years(REFERENCE_DATE, -CHILD_MAX_AGE),
        )
        high = min(_add_years(parent_birth, MOTHER_MAX_AGE), REFERENCE_DATE - timedelta(days=1))
        if count == 0 or low > high:
            return
        born = self.date_between(low, min(high, _add_years(low, 8)))
        for _ in range(count):
            if born > high:
                return
            yield born
            born += timedelta(days=self.rng.randint(400, 6 * 365))

    # --- people, numbers, places ---------------------------------------------------------

    def person(
        self, district: str, sex: str, birth_date: date, marital_status: str, old: bool = False
    ) -> Resident:
        rng = self.rng
        if old and rng.random() < 0.5:
            full_name = rng.choice(OLD_SINGLE_NAMES[sex])
        else:
            full_name = f"{rng.choice(GIVEN_NAMES[sex])} {rng.choice(SECOND_NAMES[sex])}"
        resident = Resident(
            id=self.new_id(),
            nik=self.nik(district, birth_date, sex),
            full_name=full_name,
            birth_date=birth_date,
            birth_place=self.home_town if rng.random() < 0.75 else rng.choice(ELSEWHERE),
            sex=sex,
            status="alive",
            marital_status=marital_status,
        )
        self.population.residents.append(resident)
        return resident

    def join(self, resident: Resident, card: FamilyCard, relationship: str) -> None:
        self.population.memberships.append(
            FamilyMembership(
                resident_id=resident.id, family_card_id=card.id, relationship=relationship
            )
        )

    def nik(self, district: str, birth_date: date, sex: str) -> str:
        key = district + domain.birth_part(birth_date, sex)
        while True:
            self.nik_serials[key] += 1
            serial = self.nik_serials[key]
            if serial > SERIAL_MAX:
                raise ValueError(f"more than {SERIAL_MAX} NIKs would start with {key}")
            nik = domain.make_nik(district, birth_date, sex, serial)
            if nik not in self.taken:
                return nik

    def card_number(self, district: str) -> str:
        issued = self.date_between(FIRST_CARD_ISSUED, REFERENCE_DATE - timedelta(days=1))
        key = f"{district}{issued:%d%m%y}"
        self.card_serials[key] += 1
        if self.card_serials[key] > SERIAL_MAX:
            raise ValueError(f"more than {SERIAL_MAX} family cards would start with {key}")
        return f"{key}{self.card_serials[key]:04d}"

    def address(self, district: str) -> str:
        rng = self.rng
        return (
            f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 150)},"
            f" RT {rng.randint(1, 12):02d}/RW {rng.randint(1, 8):02d}, {DISTRICTS[district]}"
        )

    def born_aged(self, age: int) -> date:
        """A birth date of someone ``age`` years old on the reference date."""
        earliest = _add_years(REFERENCE_DATE, -(age + 1)) + timedelta(days=1)
        return self.date_between(earliest, _add_years(REFERENCE_DATE, -age))

    def date_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _add_years(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- loading ---------------------------------------------------------------------------------


def load(url: str, population: Population) -> None:
    """Insert ``population`` into the civil registry database at ``url``, in one transaction.

    Copies of the rows are inserted, so the same population can be loaded into several
    databases. Raises ``PopulationCollision`` (writing nothing) if any NIK or family card
    number is already there, and ``NotMigrated`` if the tables are missing.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        if not {"residents", "family_cards", "family_memberships"} <= tables:
            raise NotMigrated(
                "the database has no family card tables: run"
                " `python -m chassis.migrate civil_registry` first"
            )
        with session_factory(engine, "population")() as session, session.begin():
            niks = [r.nik for r in population.residents]
            numbers = [c.number for c in population.cards]
            taken_niks = [
                nik
                for chunk in _chunks(niks)
                for nik in session.scalars(select(Resident.nik).where(Resident.nik.in_(chunk)))
            ]
            taken_numbers = [
                number
                for chunk in _chunks(numbers)
                for number in session.scalars(
                    select(FamilyCard.number).where(FamilyCard.number.in_(chunk))
                )
            ]
            if taken_niks or taken_numbers:
                raise PopulationCollision(population, sorted(taken_niks), sorted(taken_numbers))
            session.add_all(_copy(r) for r in population.residents)
            session.flush()  # the heads exist before the cards point at them
            session.add_all(_copy(c) for c in population.cards)
            session.flush()
            session.add_all(_copy(m) for m in population.memberships)
    finally:
        engine.dispose()


def _copy(row):
    """A new transient row with the same column values as ``row`` (defaults left unset)."""
    columns = type(row).__mapper__.column_attrs
    values = {c.key: getattr(row, c.key) for c in columns if getattr(row, c.key) is not None}
    return type(row)(**values)


# --- command line ----------------------------------------------------------------------------


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Load a synthetic regency population into the civil registry database."
    )
    parser.add_argument("--seed", type=int, default=7, help="same seed, same people (7)")
    parser.add_argument("--families", type=_positive, default=500, help="households (500)")
    parser.add_argument(
        "--regency", default="3314", choices=sorted(REGENCIES), help="regency code (3314)"
    )
    parser.add_argument("--config", help="YAML config (default: config/civil_registry.yaml)")
    args = parser.parse_args(argv)
    url = load_config(args.config or config_path("civil_registry"))["DATABASE_URL"]
    population = generate(args.seed, args.families, args.regency)
    try:
        load(url, population)
    except (PopulationCollision, NotMigrated) as error:
        print(f"population: {error}", file=sys.stderr)
        return 1
    where = make_url(url).render_as_string(hide_password=True)
    print(
        f"population: wrote {len(population.residents)} residents and"
        f" {len(population.cards)} family cards (seed {args.seed}, regency {args.regency})"
        f" to {where}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
