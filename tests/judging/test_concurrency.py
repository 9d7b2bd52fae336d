"""Fifty jurors score at the same moment, each also racing themself from a second device on one
sheet; three jurors send their first sheets through the pages at the same moment. On PostgreSQL
and on the embedded SQLite file alike: there writers queue for the one write lock instead of
failing with "database is locked"."""

from __future__ import annotations

import threading
import time
from collections import Counter
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.contests.models import Round
from contest.errors import ServiceError
from contest.extensions import db as _db
from contest.judging import services
from contest.judging.assignment import assign_automatically, may_open
from contest.judging.models import JuryMember, Score, ScoreSheet
from contest.registration.models import Registration

JURORS, ENTRIES = 50, 100
MAIN, RIVAL = "main", "rival"
# What each device finally wants on the sheet: the main device saves (5, 5), corrects Content to
# 8, then submits; the second device saves (3, 3) and submits.
FINAL = {MAIN: (Decimal(8), Decimal(5)), RIVAL: (Decimal(3), Decimal(3))}


def test_fifty_jurors_score_a_hundred_sheets_at_once(app, db, judging):
    j = judging(jurors=JURORS, entries=ENTRIES)
    assign_automatically(j.round, 1, actor=j.organiser)  # two entries for each juror
    db.session.commit()
    work = {member.id: [entry.id for entry in j.entries if _assigned(j, member, entry)] for member in j.jurors}
    assert sorted(len(ids) for ids in work.values()) == [2] * JURORS
    criteria = [criterion.id for criterion in j.criteria]
    round_id = j.round.id
    db.session.rollback()  # the test's own reads end here: on SQLite an open transaction would hold up the writers
    jobs = [(MAIN, member_id, entry_ids) for member_id, entry_ids in work.items()]
    jobs += [(RIVAL, member_id, entry_ids[:1]) for member_id, entry_ids in work.items()]
    start = threading.Barrier(len(jobs))
    done: list[tuple[str, int, int, str]] = []  # (device, member, entry, step) for every step that succeeded
    failures: list[BaseException] = []

    def device(kind: str, member_id: int, entry_ids: list[int]) -> None:
        start.wait()  # before taking a connection: a hundred threads are far more than the pool holds
        try:
            with app.app_context(), force_locale("en"):
                for entry_id in entry_ids:
                    _score(kind, member_id, entry_id, round_id, criteria, done)
        except BaseException as error:  # noqa: BLE001 (reported below, with the thread's story)
            failures.append(error)

    began = time.perf_counter()
    threads = [threading.Thread(target=device, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    assert failures == []

    sheets = db.session.scalars(select(ScoreSheet)).all()
    assert len(sheets) == ENTRIES and all(sheet.status == "submitted" for sheet in sheets)
    assert db.session.scalar(select(func.count()).select_from(Score)) == ENTRIES * len(criteria)
    winners = {(member, entry): kind for kind, member, entry, step in done if step == "create"}
    assert len(winners) == ENTRIES  # exactly one device created each sheet
    for sheet in sheets:
        kind = winners[(sheet.member_id, sheet.registration_id)]
        assert tuple(sheet.points_by_criterion()[cid] for cid in criteria) == FINAL[kind]
        # The losing device never wrote on a sheet it did not create.
        assert {k for k, m, e, _ in done if (m, e) == (sheet.member_id, sheet.registration_id)} == {kind}
    steps = Counter(step for *_, step in done)
    events = Counter(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("sheet.%"))))
    assert events == {"sheet.create": steps["create"], "sheet.update": steps["update"],
                      "sheet.submit": steps["submit"]}
    assert steps["create"] == steps["submit"] == ENTRIES
    print(f"\n{len(jobs)} devices, {ENTRIES} sheets, {sum(steps.values())} writes in {elapsed:.2f} s; "
          f"second devices refused on {JURORS - Counter(winners.values())[RIVAL]} of {JURORS} raced sheets")


def test_three_jurors_saving_their_first_sheets_at_once_all_save(app, db, judging, signed_in_browser):
    j = judging(jurors=3, entries=1)
    entry = j.entries[0]
    url = f"/jury/{j.contest.id}/rounds/{j.round.id}/entries/{entry.id}"
    content, form = (services.points_field(criterion) for criterion in j.criteria)
    browsers = [signed_in_browser(member.user) for member in j.jurors]
    db.session.rollback()  # the test's own reads end here: on SQLite an open transaction would hold up the jurors
    start = threading.Barrier(len(browsers))
    answers: list[int | str] = []

    def save_first_sheet(browser) -> None:
        data = {content: "7", form: "6.5", "version": "0", "action": "draft", "comment": "",
                "csrf_token": browser.token}
        with app.app_context():
            start.wait()
            try:
                answers.append(browser.post(url, data=data, headers={"Accept-Language": "en"}).status_code)
            except Exception as error:  # noqa: BLE001 (the server would answer 500)
                answers.append(f"500: {error}")

    threads = [threading.Thread(target=save_first_sheet, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [302, 302, 302]
    sheets = db.session.scalars(select(ScoreSheet).where(ScoreSheet.registration_id == entry.id)).all()
    assert sorted(sheet.member_id for sheet in sheets) == sorted(member.id for member in j.jurors)


def _assigned(j, member, entry) -> bool:
    return may_open(member, entry, j.round)


def _score(kind: str, member_id: int, entry_id: int, round_id: int, criteria: list[int],
           done: list[tuple[str, int, int, str]]) -> None:
    """One device's story on one sheet, each step its own transaction (as separate requests).
    A refusal (the other device got there first) ends the story, as a reload would."""
    steps = [("create", 0, (5, 5), False), ("update", 1, (8, 5), False), ("submit", 2, (8, 5), True)]
    if kind == RIVAL:
        steps = [("create", 0, (3, 3), False), ("submit", 1, (3, 3), True)]
    for step, version, values, submit in steps:
        member = _db.session.get(JuryMember, member_id)
        entry, round_ = _db.session.get(Registration, entry_id), _db.session.get(Round, round_id)
        try:
            services.save_sheet(member, entry, round_, dict(zip(criteria, values, strict=True)),
                                version=version, submit=submit, actor=member.user)
            _db.session.commit()
            done.append((kind, member_id, entry_id, step))
        except ServiceError as error:
            _db.session.rollback()
            # Only the race may refuse: the other device saved (or even submitted) first.
            assert "Someone saved this score sheet" in str(error) or "submitted and locked" in str(error), str(error)
            return
        finally:
            _db.session.remove()
