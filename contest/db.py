"""Declarative base, naming convention and small column helpers shared by every domain."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, scoped_session
from sqlalchemy.types import TypeDecorator

# Stable constraint names make Alembic migrations reproducible on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_LABELS: dict[enum.Enum, Any] = {}


class LabelledEnum(enum.StrEnum):
    """A StrEnum stored by value whose members carry a translated label for people."""

    @property
    def label(self) -> str:
        return str(_LABELS[self])


def set_labels(labels: dict[Any, Any]) -> dict[Any, Any]:
    """Give enum members their (lazily translated) labels; returns the mapping."""
    _LABELS.update(labels)
    return labels


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that always comes back as UTC, also on SQLite.

    SQLite keeps no offset, so values are normalised to UTC on the way in and tagged
    as UTC on the way out; PostgreSQL stores `timestamp with time zone` natively.
    Migrations render it as a plain `sa.DateTime(timezone=True)` (see migrations/env.py).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def render_migration_type(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Alembic autogenerate hook: write UTCDateTime as the plain column type it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def insert_unless_present(session: Session | scoped_session[Any], model: type, **values: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for a row that two requests may race to create (the loser's
    insert does nothing and it reads the winner's row), in the dialect of the session's database:
    PostgreSQL in production, SQLite embedded. Add `.returning(...)` to learn whether it wrote."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(**values).on_conflict_do_nothing()
