"""The secret that signs access tokens: generated and kept outside production, required
(and long) in production."""

import stat

import pytest

from gateway.app import create_app
from gateway.auth import UnsafeConfiguration, signing_secret


def test_without_a_secret_one_is_generated_once_kept_private_and_reused(tmp_path):
    run_dir = tmp_path / "var"
    first = create_app({"RUN_DIR": str(run_dir), "JWT_SECRET": None}).config["JWT_SECRET"]
    kept = run_dir / "jwt_secret"
    assert kept.read_text().strip() == first and len(first) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    again = create_app({"RUN_DIR": str(run_dir), "JWT_SECRET": None}).config["JWT_SECRET"]
    assert again == first  # a restart keeps the tokens it signed valid
    elsewhere = signing_secret({"RUN_DIR": str(tmp_path / "other")})
    assert elsewhere != first  # random, not a default


def test_a_secret_that_is_set_is_used_and_nothing_is_written(tmp_path):
    config = {"RUN_DIR": str(tmp_path), "JWT_SECRET": "s" * 40}
    assert signing_secret(config) == "s" * 40
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("secret", [None, "", "too-short-for-production"])
def test_production_refuses_to_start_without_a_long_secret(tmp_path, secret):
    config = {"RUN_DIR": str(tmp_path), "JWT_SECRET": secret, "ENVIRONMENT": "production"}
    with pytest.raises(UnsafeConfiguration, match="JWT_SECRET of at least 32 characters"):
        create_app(config)
    assert list(tmp_path.iterdir()) == []  # and generates nothing


def test_production_starts_with_a_long_secret(tmp_path):
    secret = "p" * 32
    config = {"RUN_DIR": str(tmp_path), "JWT_SECRET": secret, "ENVIRONMENT": "production"}
    assert create_app(config).config["JWT_SECRET"] == secret
