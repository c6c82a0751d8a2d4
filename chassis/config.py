"""Configuration files: YAML with ``${VAR:default}`` placeholders.

``nameko run --config`` reads the same syntax; this loader gives the gateway, the outbox
relays and the operator tools the same reading without importing nameko (and eventlet):
a scalar holding placeholders is substituted, then parsed as YAML, so
``${WORKERS:2}`` is the number 2 and ``${DELAYS:[1, 2]}`` a list.
"""

import os
import re
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


class _ConfigLoader(yaml.SafeLoader):
    pass


def _substitute(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    raw = loader.construct_scalar(node)
    value = _PLACEHOLDER.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), raw)
    return yaml.safe_load(value)


_ConfigLoader.add_constructor("!env_var", _substitute)
_ConfigLoader.add_implicit_resolver("!env_var", re.compile(r".*\$\{.*\}.*"), None)


def config_path(name: str) -> Path:
    """The default configuration file of a service or of the gateway."""
    return CONFIG_DIR / f"{name}.yaml"


def load_config(path: str | Path) -> dict:
    """Read a YAML config, substituting environment variables."""
    with open(path) as f:
        return yaml.load(f, Loader=_ConfigLoader)  # noqa: S506 (a SafeLoader subclass)


def environment_variables(path: str | Path) -> set[str]:
    """Every environment variable a config file reads."""
    lines = Path(path).read_text().splitlines()
    settings = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    return {name for name, _default in _PLACEHOLDER.findall(settings)}
