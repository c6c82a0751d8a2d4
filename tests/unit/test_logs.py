"""chassis.logs: JSON log lines carrying the correlation id."""

import io
import json
import logging

import pytest

from chassis import logs


@pytest.fixture
def log_stream():
    """A logger writing JSON lines to a string, as the services configure theirs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.CorrelationFilter())
    logger = logging.getLogger("mpp.tests.unit.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logs.set_correlation_id(None)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_object_on_one_line(log_stream):
    logger, stream = log_stream
    logger.info("ticket %s issued", "A-001")
    (entry,) = lines(stream)
    assert entry["message"] == "ticket A-001 issued"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "mpp.tests.unit.logs"
    assert entry["time"].endswith("+00:00")


def test_record_carries_the_correlation_id_of_the_current_request(log_stream):
    logger, stream = log_stream
    logs.set_correlation_id("req-1234abcd")
    logger.info("hello")
    assert lines(stream)[0]["correlation_id"] == "req-1234abcd"


def test_correlation_id_is_null_when_none_is_set(log_stream):
    logger, stream = log_stream
    logs.set_correlation_id(None)
    logger.info("hello")
    assert lines(stream)[0]["correlation_id"] is None


def test_an_explicit_correlation_id_on_the_record_is_kept(log_stream):
    logger, stream = log_stream
    logs.set_correlation_id("from-the-thread")
    logger.info("hello", extra={"correlation_id": "from-the-event"})
    assert lines(stream)[0]["correlation_id"] == "from-the-event"


def test_exception_traceback_is_included_in_the_same_json_object(log_stream):
    logger, stream = log_stream
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    (entry,) = lines(stream)
    assert entry["message"] == "failed"
    assert "Traceback" in entry["exception"]
    assert "ValueError: boom" in entry["exception"]


def test_record_without_exception_has_no_exception_key(log_stream):
    logger, stream = log_stream
    logger.warning("fine")
    assert "exception" not in lines(stream)[0]


def test_non_string_arguments_do_not_break_the_json(log_stream):
    logger, stream = log_stream
    logger.info("payload %s", {"nik": "3201"})
    assert lines(stream)[0]["message"] == "payload {'nik': '3201'}"


def test_new_correlation_ids_are_unique_hex_strings():
    first, second = logs.new_correlation_id(), logs.new_correlation_id()
    assert first != second
    assert len(first) == 32 and int(first, 16) >= 0


def test_current_correlation_id_returns_what_was_set():
    logs.set_correlation_id("abc12345")
    try:
        assert logs.current_correlation_id() == "abc12345"
    finally:
        logs.set_correlation_id(None)


def test_header_is_the_nameko_context_header_of_the_correlation_id():
    assert logs.HEADER == "nameko.correlation_id"
