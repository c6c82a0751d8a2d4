"""Tables of the catalog's own database."""

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.database import UTCDateTime


class Base(DeclarativeBase):
    pass


class Module(Base):
    """An agency module as last announced: one row per module, upserted by name."""

    __tablename__ = "modules"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    version: Mapped[str] = mapped_column(String(40))
    agency: Mapped[str] = mapped_column(String(40), index=True)
    manifest: Mapped[dict] = mapped_column(JSON)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
