"""Standings of 10,000 registrations x 10 jurors x 5 criteria, from the database to the ordered
standings, against a bare SQL SELECT of the same 500,000 scores through the same driver.

Two rounds combined 30/70 (a qualifying panel of five jurors, a final panel of the other five,
every entry in both), with outlier clamping (k = 3) in each: the standings page's heaviest case.

    python -m bench.ranking                      # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench python -m bench.ranking

The standings let SQL sum points x weight per sheet (100,000 totals instead of 500,000 rows),
so ranking costs about as much as reading the scores once. Ends with `ratio: <standings /
bare select>` (target: at most 2.0)."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from config import database_url  # noqa: E402
from contest import create_app  # noqa: E402
from contest.auth.models import User  # noqa: E402
from contest.contests.models import Category, Contest, Criterion, Round  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.judging.models import JuryMember, Score, ScoreSheet  # noqa: E402
from contest.registration.models import Participant, Registration  # noqa: E402
from contest.results.loading import rank_standings  # noqa: E402

ENTRIES, JURORS, CRITERIA, CATEGORIES = 10_000, 10, 5, 4
REPEATS = 5


def build_app():
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(url), MAIL_BACKEND="log")
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    return app


def make_data() -> int:
    """The contest with its jury, registrations and submitted sheets; returns the contest id."""
    generator = random.Random(2027)
    now = datetime.now(UTC)
    contest = Contest(slug="bench", title_en="Bench", kind="recitation", level="city", status="judging",
                      registration_opens_at=now - timedelta(days=30), registration_closes_at=now - timedelta(days=1),
                      event_at=now, tie_break_rules=["criterion:1", "chair_total", "shared"],
                      rounds_combination="weighted")
    categories = [Category(contest=contest, name_en=f"Group {n}", position=n) for n in range(CATEGORIES)]
    criteria = [Criterion(contest=contest, name_en=f"Criterion {n}", position=n, max_score=10, step=0.5,
                          weight=1.0 + n % 2) for n in range(CRITERIA)]
    rounds = [Round(contest=contest, name_en="Qualifying", stage="qualifying", position=1, weight=30, clamp_points=3),
              Round(contest=contest, name_en="Final", stage="final", position=2, weight=70, clamp_points=3)]
    users = [User(email=f"juror{n}@bench.kz", name=f"Juror {n}", role="juror", password_hash="x")
             for n in range(JURORS)]
    db.session.add_all([contest, *categories, *criteria, *rounds, *users])
    db.session.flush()
    # The chair sits on the final panel, whose sheets the tie-break chain reads.
    members = [JuryMember(contest_id=contest.id, user_id=user.id, is_chair=n == JURORS // 2)
               for n, user in enumerate(users)]
    db.session.add_all(members)
    db.session.flush()
    db.session.execute(insert(Participant), [
        {"id": n + 1, "surname": f"Surname{n}", "given_name": "Given", "patronymic": "", "school": "", "district": "",
         "teacher": "", "phone": "", "guardian_name": "", "guardian_phone": "", "created_at": now, "updated_at": now}
        for n in range(ENTRIES)])
    db.session.execute(insert(Registration), [
        {"id": n + 1, "contest_id": contest.id, "participant_id": n + 1, "category_id": categories[n % CATEGORIES].id,
         "number": n + 1, "code": f"BEN-{n + 1:05d}", "status": "approved", "decision_reason": "",
         "created_at": now, "updated_at": now} for n in range(ENTRIES)])
    sheets, scores = [], []
    for entry in range(1, ENTRIES + 1):
        for number, member in enumerate(members):
            sheet_id = len(sheets) + 1
            round_ = rounds[number * 2 // JURORS]
            sheets.append({"id": sheet_id, "member_id": member.id, "registration_id": entry, "round_id": round_.id,
                           "status": "submitted", "source": "online", "comment": "", "version": 1,
                           "submitted_at": now, "reopen_reason": "", "created_at": now, "updated_at": now})
            scores.extend({"sheet_id": sheet_id, "criterion_id": criterion.id,
                           "points": generator.randrange(21) / 2} for criterion in criteria)
    db.session.execute(insert(ScoreSheet), sheets)
    for start in range(0, len(scores), 100_000):
        db.session.execute(insert(Score), scores[start:start + 100_000])
    db.session.commit()
    return contest.id


def bare_select() -> int:
    return len(db.session.execute(text("SELECT sheet_id, criterion_id, points FROM score")).all())


def standings(contest: Contest) -> int:
    rankings = rank_standings(contest, contest.rounds[-1]).rankings
    return sum(len(ranking.standings) for ranking in rankings.values())


def main() -> None:
    app = build_app()
    with app.app_context():
        started = time.perf_counter()
        contest_id = make_data()
        print(f"data: {ENTRIES} registrations x {JURORS} jurors x {CRITERIA} criteria "
              f"({time.perf_counter() - started:.1f} s to build)")
        contest = db.session.scalar(select(Contest).where(Contest.id == contest_id))
        contest.rounds, contest.criteria, contest.categories  # noqa: B018 (load the setup once)
        assert bare_select() == ENTRIES * JURORS * CRITERIA
        assert standings(contest) == ENTRIES
        best = {"bare": float("inf"), "standings": float("inf")}
        for _ in range(REPEATS):
            for name in ("bare", "standings"):
                db.session.expire_all()
                contest = db.session.scalar(select(Contest).where(Contest.id == contest_id))
                contest.rounds, contest.criteria, contest.categories  # noqa: B018
                started = time.perf_counter()
                bare_select() if name == "bare" else standings(contest)
                best[name] = min(best[name], time.perf_counter() - started)
                db.session.rollback()
        print("database:", db.engine.dialect.name)
        print(f"bare SELECT of {ENTRIES * JURORS * CRITERIA:,} scores: {best['bare'] * 1000:.0f} ms")
        print(f"standings (2 rounds combined 30/70, clamping k = 3): {best['standings'] * 1000:.0f} ms")
        print(f"ratio: {best['standings'] / best['bare']:.2f}")


if __name__ == "__main__":
    main()
