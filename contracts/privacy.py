"""How personal data is shown to those who may not see it whole: the same on every side."""


def mask_nik(nik: str) -> str:
    """3314********0001: region and serial, not the birth date (also for KK numbers)."""
    return f"{nik[:4]}{'*' * 8}{nik[12:]}"


def mask_name(full_name: str) -> str:
    """S*** R*****: initials only, for public verification."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in full_name.split())
