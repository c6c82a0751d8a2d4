"""Small tools for integration tests: reading a service's tables, publishing raw events."""

from contextlib import contextmanager
from datetime import UTC, datetime

from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange
from nameko.standalone.rpc import ServiceRpcProxy

from chassis.clock import MALL_TIME
from chassis.database import make_engine, session_factory


@contextmanager
def session_for(url: str):
    engine = make_engine(url)
    try:
        with session_factory(engine, "test")() as session:
            yield session
    finally:
        engine.dispose()


def rows(url: str, query):
    with session_for(url) as session:
        return session.scalars(query).all()


def publish_event(config: dict, envelope: dict, exchange_of: str | None = None) -> None:
    """Publish an event envelope as the relay does (a redelivery, or a hand-made event), on
    its source's exchange or that of ``exchange_of``."""
    exchange = get_event_exchange(exchange_of or envelope["source"], config)
    Publisher(config["AMQP_URI"], declare=[exchange]).publish(
        envelope, exchange=exchange, routing_key=envelope["event_type"]
    )


REGISTRAR = {"id": "staff-registrar-1", "role": "registrar", "agency": "disdukcapil"}
FRONT_DESK = {"id": "front-desk-1", "role": "counter_officer", "agency": "mpp"}


@contextmanager
def rpc_to(
    service: str, config: dict, correlation_id: str | None = None, actor: dict | None = REGISTRAR
):
    """A proxy calling ``service`` as ``actor`` (a registrar unless told otherwise)."""
    context = {"actor": actor} if actor else {}
    if correlation_id:
        context["correlation_id"] = correlation_id
    with ServiceRpcProxy(service, config, context_data=context, timeout=15) as proxy:
        yield proxy


def in_mall_time(*moments: str) -> bool:
    """Whether every moment of a reply says WIB (+07:00), as the API promises, whatever
    zone the database gave it back in."""
    return all(moment[-6:] == "+07:00" for moment in moments)


class SetClock:
    """A clock the test moves by hand (``clock.moment = ...``), shared by every instance
    it is given to."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment.astimezone(UTC)


def wib(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in mall time (WIB)."""
    return datetime(year, month, day, hour, minute, tzinfo=MALL_TIME)
