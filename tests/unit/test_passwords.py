"""Password hashing: argon2id at no less than OWASP's floor, and the password rules."""

import pytest

from gateway.app import create_app
from gateway.identity import passwords


def test_hashes_are_argon2id_with_the_configured_cost():
    hasher = passwords.hasher({"PASSWORD_MEMORY_KIB": 19456, "PASSWORD_TIME_COST": 3})
    stored = hasher.hash("a long passphrase")
    assert stored.startswith("$argon2id$v=19$m=19456,t=3,p=1$")
    assert passwords.verify(hasher, stored, "a long passphrase")
    assert not passwords.verify(hasher, stored, "a long passphrasE")
    assert not passwords.verify(hasher, "not a hash", "a long passphrase")


@pytest.mark.parametrize(
    "cost", [{"PASSWORD_MEMORY_KIB": 19455}, {"PASSWORD_TIME_COST": 1}, {"PASSWORD_MEMORY_KIB": 0}]
)
def test_a_cost_below_the_floor_is_refused_and_the_gateway_will_not_start(cost, gateway_database):
    with pytest.raises(ValueError, match="argon2id"):
        passwords.hasher(cost)
    with pytest.raises(ValueError, match="argon2id"):
        create_app({"DATABASE_URL": gateway_database, **cost})


@pytest.mark.parametrize(
    ("password", "personal", "reason"),
    [
        ("short-1", (), "10 to 128"),
        ("x" * 129, (), "10 to 128"),
        ("abababababab", (), "different characters"),
        ("my-nik-3314015708900001", ("3314015708900001",), "NIK"),
        ("i-am-SITI-rahayu", ("Siti",), "name"),
    ],
)
def test_weak_passwords_are_named(password, personal, reason):
    assert any(reason in problem for problem in passwords.weaknesses(password, *personal))


def test_a_good_password_has_no_weakness():
    assert passwords.weaknesses("kopi-tubruk-pagi-7", "3314015708900001", "Siti Rahayu") == []
