from __future__ import annotations

from typing import Any

from contest.audit.models import AuditEvent
from contest.auth.models import User
from contest.extensions import db


def record(action: str, obj: Any = None, *, actor: User | None = None, **data: Any) -> AuditEvent:
    """Add an audit event to the current unit of work (committed with the change it describes)."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        data=data,
    )
    db.session.add(event)
    return event
