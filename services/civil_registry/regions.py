"""A synthetic table of region codes (province, regency/city, district), as in a NIK.

Codes follow the national scheme's shape (2 + 2 + 2 digits) and real names, but the table
is a small sample for demonstration and tests, not the official Kemendagri list.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str  # six digits: province, regency, district
    province: str
    regency: str
    district: str


PROVINCES = {"33": "Jawa Tengah", "13": "Sumatera Barat", "35": "Jawa Timur"}

REGENCIES = {
    "3314": "Kabupaten Sragen",
    "3316": "Kabupaten Blora",
    "3372": "Kota Surakarta",
    "1302": "Kabupaten Solok",
    "1372": "Kota Solok",
    "3578": "Kota Surabaya",
}

DISTRICTS = {
    "331401": "Kalijambe",
    "331402": "Plupuh",
    "331403": "Masaran",
    "331404": "Kedawung",
    "331405": "Sambirejo",
    "331406": "Gondang",
    "331407": "Sambungmacan",
    "331408": "Ngrampal",
    "331409": "Karangmalang",
    "331410": "Sragen",
    "331601": "Jati",
    "331602": "Randublatung",
    "331603": "Kradenan",
    "331604": "Kedungtuban",
    "331605": "Cepu",
    "331606": "Sambong",
    "331607": "Jiken",
    "331608": "Jepon",
    "331609": "Blora",
    "331610": "Tunjungan",
    "337201": "Laweyan",
    "337202": "Serengan",
    "337203": "Pasar Kliwon",
    "337204": "Jebres",
    "337205": "Banjarsari",
    "130201": "Pantai Cermin",
    "130202": "Lembah Gumanti",
    "130203": "Payung Sekaki",
    "130204": "Lembang Jaya",
    "130205": "Gunung Talang",
    "137201": "Lubuk Sikarah",
    "137202": "Tanjung Harapan",
    "357801": "Karang Pilang",
    "357802": "Jambangan",
    "357803": "Gayungan",
}


def region(code: str) -> Region | None:
    """The district with this six-digit code, or None."""
    if code not in DISTRICTS:
        return None
    return Region(code, PROVINCES[code[:2]], REGENCIES[code[:4]], DISTRICTS[code])


def region_problem(code: str) -> str | None:
    """Which part of a six-digit region code is unknown, or None when it is known."""
    if code[:2] not in PROVINCES:
        return f"province code {code[:2]} is unknown"
    if code[:4] not in REGENCIES:
        return f"regency code {code[2:4]} is unknown in province {code[:2]}"
    if code not in DISTRICTS:
        return f"district code {code[4:6]} is unknown in regency {code[:4]}"
    return None
