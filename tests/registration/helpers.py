"""Small helpers shared by the registration tests."""

from __future__ import annotations

from email.header import decode_header, make_header
from email.message import Message

from sqlalchemy import select

from contest.audit.models import AuditEvent
from contest.registration.models import Entry, EntryWork, Registration


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def audit_actions(db, object_id: int | None = None) -> list[str]:
    statement = select(AuditEvent.action).order_by(AuditEvent.id)
    if object_id is not None:
        statement = statement.where(AuditEvent.object_type == "Registration", AuditEvent.object_id == object_id)
    return list(db.session.scalars(statement))


def page(response) -> str:
    return response.get_data(as_text=True)


def one_work_entry(registration: Registration, *, video_url: str = "", **work) -> Entry:
    """An entry straight in the database with a single work (title, text, file columns)."""
    return Entry(registration=registration, video_url=video_url, works=[EntryWork(position=1, **work)])
