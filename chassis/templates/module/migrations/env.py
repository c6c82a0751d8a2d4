"""Alembic environment of the Mpp Template module.

The module is imported as ``services.<name>`` inside the mall's tree or as a top-level
``<name>`` installed elsewhere; the models are those of the package this folder is in.
"""

import importlib
import importlib.util
from pathlib import Path

from chassis.migrate import run_migrations


def package_of(folder: Path) -> str:
    for package in (f"services.{folder.name}", folder.name):
        try:
            spec = importlib.util.find_spec(package)
        except ImportError:
            continue
        if spec is not None and spec.origin and Path(spec.origin).resolve().parent == folder:
            return package
    raise SystemExit(f"{folder} is neither services.{folder.name} nor {folder.name}")


package = package_of(Path(__file__).resolve().parent.parent)
run_migrations(importlib.import_module(f"{package}.models").Base.metadata)
