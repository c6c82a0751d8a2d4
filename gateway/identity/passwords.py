"""Passwords: argon2id hashes (argon2-cffi), with a floor on the cost a config may set.

The floor is OWASP's minimum for argon2id: 19 MiB of memory, two passes, one lane.
"""

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_MEMORY_KIB = 19 * 1024
MIN_TIME_COST = 2
MIN_LENGTH, MAX_LENGTH = 10, 128


def hasher(config: dict) -> PasswordHasher:
    memory = int(config.get("PASSWORD_MEMORY_KIB", MIN_MEMORY_KIB))
    time_cost = int(config.get("PASSWORD_TIME_COST", MIN_TIME_COST))
    if memory < MIN_MEMORY_KIB or time_cost < MIN_TIME_COST:
        raise ValueError(
            f"argon2id needs at least {MIN_MEMORY_KIB} KiB of memory and {MIN_TIME_COST} passes"
        )
    return PasswordHasher(time_cost=time_cost, memory_cost=memory, parallelism=1, type=Type.ID)


def verify(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def weaknesses(password: str, *personal: str) -> list[str]:
    """Why ``password`` is not good enough (empty when it is)."""
    problems = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append(f"use {MIN_LENGTH} to {MAX_LENGTH} characters")
    if len(set(password)) < 4:
        problems.append("use more different characters")
    lowered = password.casefold()
    if any(part and len(part) >= 4 and part.casefold() in lowered for part in personal):
        problems.append("do not use your NIK, username or name in the password")
    return problems
