"""Numbers people read (ticket A-012, NIK serials, certificate numbers), from the database.

``next_value`` is one conditional ``UPDATE ... RETURNING`` on the sequence's row: the row
lock orders concurrent callers across processes; the first use of a key inserts the row
inside a savepoint, and a concurrent first insert that loses on the primary key falls back
to the update.

    class Sequence(SequenceMixin, Base): pass
    serial = next_value(session, Sequence, "nik:331401570890")
"""

from sqlalchemy import Integer, String, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column


class SequenceMixin:
    __tablename__ = "sequences"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


def next_value(session: Session, sequence, key: str) -> int:
    bump = (
        update(sequence)
        .where(sequence.key == key)
        .values(last_value=sequence.last_value + 1)
        .returning(sequence.last_value)
    )
    value = session.scalar(bump)
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.execute(insert(sequence).values(key=key, last_value=1))
        return 1
    except IntegrityError:
        return session.scalar(bump)
