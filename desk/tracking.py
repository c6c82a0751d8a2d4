"""A visitor's claim to her application: she files without an account, so the desk gives
her a tracking code once, keeps only its digest, and lets whoever shows the code act as
the applicant (as SP4N-LAPOR's tracking id does). Pure: no framework, no storage."""

import hashlib
import hmac
import secrets

VISITOR_PREFIX = "visitor:"  # an applicant id no person has (residents' ids are bare uuids)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: it is read aloud and retyped
HALF = 5  # two halves of five: 32**10 codes


def new_code() -> str:
    """A fresh code as she writes it down: ``K7QX2-MPR4D``."""
    letters = "".join(secrets.choice(ALPHABET) for _ in range(2 * HALF))
    return f"{letters[:HALF]}-{letters[HALF:]}"


def digest(code: str) -> str:
    """What is kept of a code: the digest of its letters (case, spaces and dashes aside)."""
    letters = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(letters.encode("ascii", "ignore")).hexdigest()


def holds(kept: str | None, code: str | None) -> bool:
    """Whether ``code`` is the one whose digest was kept."""
    if not kept or not code:
        return False
    return hmac.compare_digest(kept, digest(code))


def visitor_id() -> str:
    """The applicant id of a visitor's application: hers alone, and nobody's person id."""
    return VISITOR_PREFIX + secrets.token_hex(14)  # 36 characters, as a person id


def is_visitor(applicant_id: str | None) -> bool:
    return bool(applicant_id) and applicant_id.startswith(VISITOR_PREFIX)
