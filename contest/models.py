"""Imports every domain's models so that the metadata (create_all, Alembic) is complete."""

from contest.audit.models import AuditEvent
from contest.auth.models import User
from contest.news.models import NewsPost

__all__ = ["AuditEvent", "NewsPost", "User"]
