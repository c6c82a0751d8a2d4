"""The identity database of this gateway process: one engine per process, made after fork."""

import os
import threading
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from chassis.database import make_engine

_factories: dict[tuple[int, str], sessionmaker] = {}
_lock = threading.Lock()


def session_maker(url: str) -> sessionmaker:
    key = (os.getpid(), url)
    with _lock:
        if key not in _factories:
            _factories[key] = sessionmaker(make_engine(url), expire_on_commit=False)
        return _factories[key]


@contextmanager
def transaction(url: str, read_only: bool = False):
    """One short transaction: committed on leaving, rolled back on an exception.

    ``read_only`` lets SQLite readers run beside a writer instead of queueing for its lock.
    """
    with session_maker(url)() as session, session.begin():
        if read_only:
            session.connection(execution_options={"read_only": True})
        yield session


def dispose(url: str) -> None:
    """Close this process's connections to ``url`` (tests, shutdown)."""
    factory = _factories.pop((os.getpid(), url), None)
    if factory is not None:
        factory.kw["bind"].dispose()


__all__ = ["Session", "dispose", "session_maker", "transaction"]
