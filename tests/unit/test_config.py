"""chassis.config: YAML files with ``${VAR:default}`` placeholders."""

import yaml

from chassis.config import config_path, environment_variables, load_config


def write(tmp_path, text: str):
    path = tmp_path / "settings.yaml"
    path.write_text(text)
    return path


def test_default_is_used_when_the_variable_is_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("MPP_TEST_HOST", raising=False)
    config = load_config(write(tmp_path, "HOST: ${MPP_TEST_HOST:127.0.0.1}\n"))
    assert config == {"HOST": "127.0.0.1"}


def test_environment_wins_over_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_TEST_HOST", "10.0.0.7")
    config = load_config(write(tmp_path, "HOST: ${MPP_TEST_HOST:127.0.0.1}\n"))
    assert config == {"HOST": "10.0.0.7"}


def test_an_empty_environment_value_still_wins_over_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_TEST_NAME", "")
    config = load_config(write(tmp_path, "NAME: ${MPP_TEST_NAME:fallback}\n"))
    assert config["NAME"] is None


def test_placeholder_without_default_and_without_variable_is_null(tmp_path, monkeypatch):
    monkeypatch.delenv("MPP_TEST_MISSING", raising=False)
    config = load_config(write(tmp_path, "VALUE: ${MPP_TEST_MISSING}\n"))
    assert config == {"VALUE": None}


def test_substituted_default_is_typed_as_yaml_int(tmp_path, monkeypatch):
    monkeypatch.delenv("MPP_TEST_WORKERS", raising=False)
    config = load_config(write(tmp_path, "WORKERS: ${MPP_TEST_WORKERS:2}\n"))
    assert config["WORKERS"] == 2
    assert isinstance(config["WORKERS"], int)


def test_substituted_environment_value_is_typed_as_yaml_int(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_TEST_WORKERS", "16")
    config = load_config(write(tmp_path, "WORKERS: ${MPP_TEST_WORKERS:2}\n"))
    assert config["WORKERS"] == 16


def test_substituted_default_is_typed_as_yaml_list(tmp_path, monkeypatch):
    monkeypatch.delenv("MPP_TEST_DELAYS", raising=False)
    config = load_config(write(tmp_path, "DELAYS: ${MPP_TEST_DELAYS:[1000, 10000, 60000]}\n"))
    assert config["DELAYS"] == [1000, 10000, 60000]


def test_substituted_environment_value_is_typed_as_yaml_list(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_TEST_DELAYS", "[100, 200]")
    config = load_config(write(tmp_path, "DELAYS: ${MPP_TEST_DELAYS:[1000, 10000]}\n"))
    assert config["DELAYS"] == [100, 200]


def test_placeholders_inside_a_longer_string_are_each_substituted(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_TEST_HOST", "db.internal")
    monkeypatch.delenv("MPP_TEST_PORT", raising=False)
    text = "URL: postgresql://${MPP_TEST_HOST:localhost}:${MPP_TEST_PORT:5432}/mall\n"
    config = load_config(write(tmp_path, text))
    assert config["URL"] == "postgresql://db.internal:5432/mall"


def test_nested_settings_are_substituted_too(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_TEST_LEVEL", "DEBUG")
    text = "LOGGING:\n  root:\n    level: ${MPP_TEST_LEVEL:INFO}\n    handlers: [console]\n"
    config = load_config(write(tmp_path, text))
    assert config["LOGGING"]["root"] == {"level": "DEBUG", "handlers": ["console"]}


def test_values_without_placeholders_are_plain_yaml(tmp_path):
    text = "SERVICES: [civil_registry, queue]\nRETRIES: 3\nNAME: mall\n"
    config = load_config(write(tmp_path, text))
    assert config == {"SERVICES": ["civil_registry", "queue"], "RETRIES": 3, "NAME": "mall"}


def test_plain_yaml_safe_load_is_not_affected_by_the_config_loader(monkeypatch):
    monkeypatch.setenv("MPP_TEST_HOST", "10.0.0.7")
    assert yaml.safe_load("HOST: ${MPP_TEST_HOST:x}") == {"HOST": "${MPP_TEST_HOST:x}"}


def test_environment_variables_lists_every_variable_a_file_reads(tmp_path):
    text = (
        "AMQP_URI: ${AMQP_URI:pyamqp://guest:guest@127.0.0.1:5672//}\n"
        "URL: http://${MPP_HOST:localhost}:${MPP_PORT:80}\n"
        "PLAIN: 3\n"
    )
    assert environment_variables(write(tmp_path, text)) == {"AMQP_URI", "MPP_HOST", "MPP_PORT"}


def test_environment_variables_ignores_comment_lines(tmp_path):
    text = (
        "# ${VAR:default} reads the environment; ${COMMENTED_OUT} too\n"
        "  # WORKERS: ${OLD_WORKERS:2}\n"
        "WORKERS: ${GATEWAY_WORKERS:2}\n"
    )
    assert environment_variables(write(tmp_path, text)) == {"GATEWAY_WORKERS"}


def test_the_gateway_config_file_reads_its_documented_variables():
    names = environment_variables(config_path("gateway"))
    assert {"AMQP_URI", "RPC_TIMEOUT", "HEALTH_TIMEOUT", "GATEWAY_WORKERS"} <= names
    assert "VAR" not in names  # named only in the file's comment


def test_the_gateway_config_file_loads_with_typed_defaults(monkeypatch):
    for name in ("GATEWAY_PORT", "GATEWAY_WORKERS", "HEALTH_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(config_path("gateway"))
    assert config["PORT"] == 8000
    assert config["WORKERS"] == 2
    assert config["SERVICES"] == [
        "civil_registry",
        "licensing",
        "queue",
        "catalog",
        "notifications",
    ]
