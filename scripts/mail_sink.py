"""A local SMTP server that keeps every message it is given as a file, for ``make run``
and the tests: nothing leaves the machine.

    python -m scripts.mail_sink [--port 8025] [--directory var/mail]

(the defaults: ``MAIL_SINK_PORT``, or 8025; ``$MPP_RUN_DIR/mail``, or ``var/mail``)

Each message is written to ``<directory>/<time>-<n>.eml`` (read it with any mail client
or ``cat``). A test can make it refuse: each line of ``<directory>/answers`` is the answer
to the next message instead of ``250`` (``451 4.3.0 try again later``, ``550 5.1.1 no
such mailbox``), one line per message, taken off the file as it is used; ``drop`` closes
the connection instead of answering. Each line of ``<directory>/refused`` is an address
and the answer to ``RCPT TO`` for it (``nobody@example.id 550 5.1.1 no such mailbox``).
``<directory>/sessions.log`` says which connection (the client's address) did what: a
line ``<host>:<port> ehlo`` per greeting, ``<host>:<port> kept <file>`` per message and
``<host>:<port> quit`` per QUIT.
"""

import argparse
import asyncio
import itertools
import os
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ANSWERS = "answers"
REFUSED = "refused"
SESSIONS_LOG = "sessions.log"
DROP = "drop"


class KeepingHandler:
    def __init__(self, directory: Path):
        self.directory = directory
        self.counter = itertools.count(1)

    def next_answer(self) -> str | None:
        """The first line of the answers file, taken off it."""
        answers = self.directory / ANSWERS
        if not answers.exists():
            return None
        lines = answers.read_text().splitlines()
        if not lines:
            return None
        answers.write_text("".join(f"{line}\n" for line in lines[1:]))
        return lines[0].strip() or None

    def note(self, session, what: str) -> None:
        host, port = session.peer[:2]
        with open(self.directory / SESSIONS_LOG, "a") as log:
            log.write(f"{host}:{port} {what}\n")

    def refusal(self, address: str) -> str | None:
        refused = self.directory / REFUSED
        if not refused.exists():
            return None
        for line in refused.read_text().splitlines():
            refused_address, _, answer = line.strip().partition(" ")
            if refused_address.lower() == address.lower() and answer:
                return answer
        return None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        self.note(session, "ehlo")
        return responses

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        self.note(session, "quit")
        return "221 Bye"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if (answer := self.refusal(address)) is not None:
            return answer
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        answer = self.next_answer()
        if answer == DROP:
            server.transport.close()  # the client reads no answer: the connection is gone
            return "421 4.3.0 gone"
        if answer is not None:
            return answer
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{next(self.counter):05d}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.directory / name)  # a reader never sees half a message
        self.note(session, f"kept {name}")
        return "250 2.0.0 kept"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("MAIL_SINK_PORT", 8025)))
    parser.add_argument(
        "--directory", default=str(Path(os.environ.get("MPP_RUN_DIR") or "var") / "mail")
    )
    args = parser.parse_args(argv)
    directory = Path(args.directory)
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(KeepingHandler(directory), hostname=args.host, port=args.port)
    controller.start()
    print(f"SMTP sink on {args.host}:{args.port}, keeping mail in {directory}/", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
