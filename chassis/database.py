"""One database per service: engines, the per-worker session, and the messaging tables.

SQLite (a file under ``var/``) is the default; any SQLAlchemy URL works, PostgreSQL in
production. SQLite gets a single pooled connection per process and ``BEGIN IMMEDIATE``
transactions: under eventlet a blocked SQLite call would stall every green thread, so
workers queue for the connection instead, and processes queue on the database lock.
"""

import logging
import uuid
import weakref
from datetime import UTC, datetime, timedelta
from functools import wraps

from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Integer,
    String,
    TypeDecorator,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from chassis import logs
from chassis.errors import MallError

log = logging.getLogger("mpp.database")
# nameko context data naming the call whose reply is recorded (see chassis.service.MallRpc)
CALL_ID_KEY = "mpp_call_id"
DEFAULT_RETENTION_DAYS = 7
# BIGINT keys on PostgreSQL; SQLite only autoincrements INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine with the settings the mall relies on for ``url``."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, **kwargs)
    if make_url(url).database in (None, "", ":memory:"):
        # one shared connection, or every checkout would see a new empty database
        engine = create_engine(url, poolclass=StaticPool, **kwargs)
    else:
        engine = create_engine(
            url,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            connect_args={"timeout": 60, "check_same_thread": False},
            **kwargs,
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # a transaction that only reads need not take the write lock (WAL readers run
        # beside the writer): ask with execution_options(read_only=True)
        read_only = connection.get_execution_options().get("read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


class OutboxMixin:
    """Events waiting to be published; written in the transaction that caused them."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSON)
    headers: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class InboxMixin:
    """Ids of events already handled, one row per (event, handler)."""

    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(200), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ReplyMixin:
    """Replies of state-changing RPC calls, by call id: a call that comes again (RabbitMQ
    redelivers a request whose worker died before the ack, a client retries with the same
    key) is answered from here instead of running twice."""

    __tablename__ = "recorded_replies"

    call_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    reply: Mapped[dict | list | None] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ServiceSession(Session):
    """A session that also records outgoing events and remembers incoming ones."""

    def record_event(self, event_type: str, data: dict) -> str:
        """Queue ``event_type`` for publication when this transaction commits."""
        from contracts.events import envelope

        outbox, source = self.info["outbox"], self.info["service_name"]
        message = envelope(source, event_type, data, logs.current_correlation_id())
        cid = message["correlation_id"]
        self.add(
            outbox(
                event_id=message["event_id"],
                event_type=event_type,
                payload=message,
                headers={logs.HEADER: cid} if cid else {},
            )
        )
        return message["event_id"]

    def first_delivery(self, event_id: str, handler: str) -> bool:
        """True the first time ``handler`` sees ``event_id``; records it in this transaction."""
        inbox = self.info["inbox"]
        seen = self.scalar(
            select(inbox).where(inbox.event_id == event_id, inbox.handler == handler)
        )
        if seen is not None:
            return False
        self.add(inbox(event_id=event_id, handler=handler))
        self.flush()  # a concurrent duplicate fails here, and is retried as a duplicate
        return True

    @property
    def wrote(self) -> bool:
        """Whether this transaction changed anything (so far)."""
        return bool(self.info.get("wrote") or self.new or self.dirty or self.deleted)


@event.listens_for(ServiceSession, "after_flush")
def _flushed(session, _context):
    session.info["wrote"] = True


@event.listens_for(ServiceSession, "do_orm_execute")
def _executed(state):
    if not state.is_select:  # insert/update/delete statements, text() of any kind
        state.session.info["wrote"] = True


@event.listens_for(ServiceSession, "after_commit")
@event.listens_for(ServiceSession, "after_rollback")
def _ended(session):
    session.info.pop("wrote", None)


def session_factory(
    engine: Engine, service_name: str, outbox=None, inbox=None, replies=None
) -> sessionmaker:
    return sessionmaker(
        engine,
        class_=ServiceSession,
        expire_on_commit=False,
        info={"service_name": service_name, "outbox": outbox, "inbox": inbox, "replies": replies},
    )


def prune(session: Session, older_than: timedelta) -> dict[str, int]:
    """Delete published outbox rows, inbox rows and recorded replies older than
    ``older_than``; return how many of each. Safe to run in every instance at once."""
    cutoff, removed = utcnow() - older_than, {}
    outbox, inbox, replies = (session.info.get(k) for k in ("outbox", "inbox", "replies"))
    if outbox is not None:
        done = delete(outbox).where(outbox.published_at.is_not(None), outbox.published_at < cutoff)
        removed["outbox"] = session.execute(done).rowcount
    if inbox is not None:
        seen = delete(inbox).where(inbox.processed_at < cutoff)
        removed["inbox"] = session.execute(seen).rowcount
    if replies is not None:
        old = delete(replies).where(replies.recorded_at < cutoff)
        removed["replies"] = session.execute(old).rowcount
    return removed


class Database(DependencyProvider):
    """Gives each worker its own session; commits when the entrypoint returns.

    nameko sends the RPC reply and acks the event (``handle_result``) before it calls
    ``worker_result``, so committing there could answer "done" for work that then fails
    to commit. Instead the entrypoint method is wrapped in ``worker_setup``: the
    transaction commits (or rolls back) before nameko replies or acks.

    With a ``replies`` table, an RPC call that changed something commits its reply under
    its call id in the same transaction, and a call with a recorded reply is answered
    with it without running again: at most once per call id.

        class RegistryService:
            db = Database(OutboxEvent, ProcessedEvent, RecordedReply)
    """

    def __init__(self, outbox=None, inbox=None, replies=None, url_key: str = "DATABASE_URL"):
        self.outbox, self.inbox, self.replies, self.url_key = outbox, inbox, replies, url_key
        self.engine: Engine | None = None

    def setup(self):
        config = self.container.config
        self.engine = make_engine(config[self.url_key])
        self.sessions_of = session_factory(
            self.engine, self.container.service_name, self.outbox, self.inbox, self.replies
        )
        days = float(config.get("MESSAGE_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
        self.retention = timedelta(days=days)
        self.open_sessions = weakref.WeakKeyDictionary()

    def stop(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        session = self.sessions_of()
        session.info["retention"] = self.retention
        # taken out of the context data, so that calls this worker makes get ids of their own
        call_id = worker_ctx.data.pop(CALL_ID_KEY, None)
        if call_id and self.replies is not None and isinstance(worker_ctx.entrypoint, Rpc):
            session.info["call_key"] = f"{worker_ctx.entrypoint.method_name}:{call_id}"[:200]
        self.open_sessions[worker_ctx] = session
        return session

    def worker_setup(self, worker_ctx):
        name = worker_ctx.entrypoint.method_name
        method = getattr(worker_ctx.service, name)
        session = self.open_sessions[worker_ctx]
        call_key = session.info.get("call_key")

        @wraps(method)
        def in_transaction(*args, **kwargs):
            try:
                result = method(*args, **kwargs)
                session.commit()
                return result
            except BaseException:
                session.rollback()
                raise

        @wraps(method)
        def at_most_once(*args, **kwargs):
            found, reply = self._recorded(session, call_key)
            if found:
                log.info("answered %s from its recorded reply", call_key)
                return reply
            try:
                result = method(*args, **kwargs)
                if session.wrote:
                    session.add(self.replies(call_key=call_key, reply=result))
                session.commit()
                return result
            except BaseException as exc:
                session.rollback()
                # the same call, run at once by another worker, may have committed first
                if isinstance(exc, IntegrityError | MallError):
                    found, reply = self._recorded(session, call_key)
                    if found:
                        return reply
                raise

        setattr(worker_ctx.service, name, at_most_once if call_key else in_transaction)

    def _recorded(self, session: Session, call_key: str) -> tuple[bool, object]:
        """The recorded reply of ``call_key``, read in a short transaction of its own."""
        with session.begin():
            session.connection(execution_options={"read_only": True})
            row = session.get(self.replies, call_key)
            return (True, row.reply) if row is not None else (False, None)

    def worker_teardown(self, worker_ctx):
        session = self.open_sessions.pop(worker_ctx, None)
        if session is not None:
            session.close()


def new_id() -> str:
    return str(uuid.uuid4())
