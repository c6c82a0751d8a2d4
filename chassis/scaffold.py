"""``mall``: the mall's command line. ``mall new-module`` writes a working agency module.

    mall new-module social_aid --agency dinsos              # services/social_aid
    mall new-module bpom_permits --into ../agency-modules   # a package of its own

The module is copied from ``chassis/templates/module/``, itself a small module whose
names are placeholders (``mpp_template``, ``MppTemplate``, ``MPP_TEMPLATE``...) replaced in
file contents and file names. Its code imports its own files relatively, so it runs both
as ``services.<name>`` and as a top-level ``<name>`` on ``PYTHONPATH``.
"""

import argparse
import importlib.util
import keyword
import os
import re
import sys
from pathlib import Path

import yaml
from marshmallow import ValidationError

from chassis.config import PROJECT_ROOT
from contracts import modules as wire

TEMPLATE = Path(__file__).with_name("templates") / "module"
SERVICES = PROJECT_ROOT / "services"
SKIPPED = {"__pycache__"}


class Refused(Exception):
    """The module cannot be made as asked; the message says why."""


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def title(code: str) -> str:
    return " ".join(part.capitalize() for part in re.split(r"[_-]+", code) if part)


def derived_prefix(name: str) -> str:
    """Ticket prefix from the name: initials of its words (``social_aid`` -> ``SA``), or
    the first two letters of a single word (``pajak`` -> ``PA``)."""
    words = [word for word in name.split("_") if word and word[0].isalpha()]
    initials = "".join(word[0] for word in words)[:3]
    if len(initials) >= 2:
        return initials.upper()
    return "".join(c for c in name if c.isalpha())[:2].upper()


def check_name(name: str) -> None:
    """Refuse names the contract forbids and names that would shadow another module."""
    try:
        wire.NAME(name)
    except ValidationError:
        raise Refused(
            f"invalid module name {name!r}: a lowercase letter, then a-z, 0-9 or _, "
            "2-30 characters in all (e.g. social_aid)"
        ) from None
    if keyword.iskeyword(name):
        raise Refused(f"{name!r} is a Python keyword; choose another name")
    if name in sys.stdlib_module_names:
        raise Refused(f"{name!r} is a module of Python's standard library; choose another name")
    if (SERVICES / name).exists():
        raise Refused(f"{name!r} is already a service of the mall (services/{name})")
    if (PROJECT_ROOT / name).exists():
        raise Refused(f"{name!r} is already a folder of the mall ({PROJECT_ROOT / name})")
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is not None:
        where = spec.origin or next(iter(spec.submodule_search_locations or []), "")
        raise Refused(f"{name!r} would clash with the installed module {name} ({where})")


def values_for(name: str, agency: str, prefix: str, package: str, folder: str) -> dict:
    """Placeholder -> value, longest placeholders first (they contain the shorter ones)."""
    return {
        "mpp_template_package": package,
        "mpp_template_folder": folder,
        "mpp_template_agency": agency,
        "MPP_TEMPLATE_PREFIX": prefix,
        "Mpp Template Agency": title(agency),
        "Mpp Template": title(name),
        "MppTemplate": camel(name),
        "MPP_TEMPLATE": name.upper(),
        "mpp_template": name,
    }


def render(text: str, values: dict) -> str:
    """Replace every placeholder in one pass (a value is never read as a placeholder)."""
    pattern = re.compile("|".join(re.escape(key) for key in values))
    return pattern.sub(lambda match: values[match.group()], text)


def placed(target: Path) -> tuple[str, str]:
    """The package a module folder is imported as, and the folder as commands name it."""
    if target.parent.resolve() == SERVICES.resolve():
        return f"services.{target.name}", f"services/{target.name}"
    return target.name, str(target)


def template_files() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATE.rglob("*")
        if path.is_file()
        and not SKIPPED.intersection(path.parts)
        and path.suffix not in (".pyc", ".pyo")
    )


def new_module(
    name: str, agency: str | None = None, into: Path | None = None, prefix: str | None = None
) -> Path:
    """Write the module ``name`` into ``into/name`` (``services/`` by default); return it."""
    check_name(name)
    agency = agency or name
    if wire.Agency().validate({"code": agency, "name_id": "-", "name_en": "-"}):
        raise Refused(
            f"invalid agency code {agency!r}: a lowercase letter, then a-z, 0-9, _ or -, "
            "2-40 characters in all (e.g. dinsos)"
        )
    prefix = prefix or derived_prefix(name)
    if wire.QueueSetup().validate({"prefix": prefix}):
        raise Refused(f"invalid queue prefix {prefix!r}: 1-3 capital letters (e.g. SA)")

    target = (Path(into) if into is not None else SERVICES) / name
    if target.exists():
        raise Refused(f"{target} already exists; choose another name or folder")
    values = values_for(name, agency, prefix, *placed(target))

    files = {
        render(str(path.relative_to(TEMPLATE)), values): render(path.read_text("utf-8"), values)
        for path in template_files()
    }
    manifest = yaml.safe_load(files["manifest.yaml"])
    wire.Manifest().load(manifest)  # the scaffold's own mistake if this fails

    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


def relay_command(target: Path, name: str) -> str:
    """The module's outbox relay (every module records ``application_closed``), told its
    outbox model: one more process beside the service, in the Procfile too."""
    package, shown = placed(target)
    return (
        f".venv/bin/python -m chassis.relay {name} --outbox {package}.models:OutboxEvent "
        f"--config {shown}/config.yaml"
    )


def next_steps(target: Path, name: str) -> str:
    package, shown = placed(target)
    path_note = "" if "." in package else f"PYTHONPATH={target.parent}{os.pathsep}$PYTHONPATH "
    return "\n".join(
        [
            f"Made the module {name} in {shown}. From the mall's root:",
            f"  {path_note}.venv/bin/python -m chassis.migrate {name} --config {shown}/config.yaml",
            f"  {path_note}.venv/bin/nameko run --config {shown}/config.yaml "
            f"{package}.service:{camel(name)}Service",
            f"  {path_note}{relay_command(target, name)}",
            f"  {path_note}.venv/bin/pytest {shown}/tests",
            f"Then edit {shown}/manifest.yaml; {shown}/README.md tells the rest.",
        ]
    )


def parser() -> argparse.ArgumentParser:
    mall = argparse.ArgumentParser(prog="mall", description="The mall's command line.")
    commands = mall.add_subparsers(dest="command", required=True, metavar="COMMAND")
    new = commands.add_parser(
        "new-module",
        help="write a working agency module: service, manifest, models, migrations, tests",
        description="Write a working agency module (a nameko service with its manifest, "
        "models, migrations, config, tests and README) into DIR/NAME.",
    )
    new.add_argument("name", help="module and nameko service name, e.g. social_aid")
    new.add_argument("--agency", metavar="CODE", help="the agency's code (default: the name)")
    new.add_argument(
        "--into",
        metavar="DIR",
        type=Path,
        help="where to write it (default: the mall's services/; another folder makes a "
        "top-level package to put on PYTHONPATH)",
    )
    new.add_argument(
        "--prefix",
        help="ticket prefix of its queue, 1-3 capital letters (default: from the name)",
    )
    new.set_defaults(command_parser=new)
    return mall


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        target = new_module(args.name, args.agency, args.into, args.prefix)
    except Refused as refusal:
        args.command_parser.error(str(refusal))  # exits with status 2, like any usage error
    print(next_steps(target, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
