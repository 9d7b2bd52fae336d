"""The stage state every worker and machine shares.

The database row (StageState) is the authority; each change locks it, moves `version` on, and
once the change is committed the new version is written to Redis (with REDIS_URL set) under
`stage:<round id>:version`. Readers (the audience screen, jurors' phones) poll with the version
as their ETag: with Redis the unchanged answer costs one GET and no database query. The key
lives for `VERSION_TTL` seconds and is written again from the database when missing, so a
Redis restart or a lost write delays a change by at most that long, never for good."""

from __future__ import annotations

import logging
from typing import Any

import redis
from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from contest.contests.models import Round
from contest.db import insert_unless_present, utcnow
from contest.extensions import db
from contest.stage.models import StageState

log = logging.getLogger(__name__)

VERSION_TTL = 60
# Each published version is also announced here ("<round id>:<version>"): the audience screens'
# streams (stream.py) wake on it.
CHANNEL = "stage:versions"
_QUEUED = "stage_versions_after_commit"
_CLIENT = "stage_redis"


def locked_state(round_: Round) -> StageState:
    """The round's stage state, created on first use and locked until the transaction ends, so
    two people pressing buttons at once change it one after the other."""
    db.session.execute(insert_unless_present(db.session, StageState, round_id=round_.id, version=1, elapsed_seconds=0,
                                              is_paused=False, revealed_category_ids=[], reminded_member_ids=[],
                                              updated_at=utcnow()))
    return db.session.scalars(select(StageState).where(StageState.round_id == round_.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def stage_state(round_: Round) -> StageState | None:
    return db.session.get(StageState, round_.id)


def bump(state: StageState) -> None:
    """A change readers must see: a new version, announced once the transaction commits."""
    state.version += 1
    state.updated_at = utcnow()
    db.session.flush()
    db.session.info.setdefault(_QUEUED, {})[state.round_id] = state.version


def sheet_status_changed(sender: object, *, sheet: Any) -> None:
    """A juror's sheet for the performer on stage was created, submitted or reopened: a new
    version, so the chair's control page and the audience screen show the jury's progress. One
    UPDATE, which matches nothing once the performer has left the stage (it waits for a chair's
    change in progress, then reads the committed row), so a sheet never holds the stage back."""
    version = db.session.scalar(
        update(StageState).where(StageState.round_id == sheet.round_id,
                                 StageState.current_registration_id == sheet.registration_id)
        .values(version=StageState.version + 1, updated_at=utcnow()).returning(StageState.version)
        .execution_options(synchronize_session="fetch"))
    if version is not None:
        db.session.info.setdefault(_QUEUED, {})[sheet.round_id] = version


@event.listens_for(Session, "after_commit")
def _announce(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for round_id, version in session.info.pop(_QUEUED, {}).items():
        _write_version(round_id, version)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_QUEUED, None)


def redis_client() -> redis.Redis | None:
    """The app's Redis client for the stage (one per worker), or None without REDIS_URL."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get(_CLIENT)
    if client is None:
        client = current_app.extensions[_CLIENT] = redis.Redis.from_url(url, socket_timeout=1)
    return client


def _key(round_id: int) -> str:
    return f"stage:{round_id}:version"


def _write_version(round_id: int, version: int) -> None:
    client = redis_client()
    if client is None:
        return
    try:
        pipeline = client.pipeline(transaction=False)
        pipeline.set(_key(round_id), version, ex=VERSION_TTL)
        pipeline.publish(CHANNEL, f"{round_id}:{version}")
        pipeline.execute()
    except redis.RedisError:  # readers fall back to the database once the key expires
        log.warning("Could not publish stage version %s of round %s to Redis", version, round_id, exc_info=True)


def current_version(round_id: int) -> int:
    """The stage's version (0 before anything happened): from Redis when it has it, else from
    the database (and then written back to Redis for the next reader)."""
    client = redis_client()
    if client is not None:
        try:
            cached = client.get(_key(round_id))
        except redis.RedisError:
            cached = None
        if isinstance(cached, bytes | str):
            return int(cached)
    version = db.session.scalar(select(StageState.version).where(StageState.round_id == round_id)) or 0
    if client is not None and version:
        _write_version(round_id, version)
    return version
