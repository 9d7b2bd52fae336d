"""The organisers' progress matrix with 3 jurors x 10 entries and with 30 jurors x 500 entries
(the issue's size): the number of SQL statements must not change.

    python -m bench.judging_matrix            # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench python -m bench.judging_matrix

Prints the query count and the median time of each size."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sqlalchemy import insert, select

from bench.registrations_table import add_registrations, build_app, make_contest, measure
from contest.auth.models import User
from contest.auth.services import open_session
from contest.contests.models import Contest, Criterion, Round
from contest.extensions import db
from contest.judging.models import JuryMember, Score, ScoreSheet
from contest.registration.models import Registration

SIZES = ((3, 10), (30, 500))


def add_jurors(contest: Contest, count: int, start: int) -> None:
    db.session.execute(insert(User), [
        {"email": f"juror{start + n}@bench.kz", "name": f"Juror {start + n:03d}", "role": "juror",
         "password_hash": "!bench", "is_active": True, "created_at": datetime.now(UTC)} for n in range(count)])
    ids = db.session.scalars(select(User.id).where(User.role == "juror").order_by(User.id)).all()[start:]
    db.session.execute(insert(JuryMember), [
        {"contest_id": contest.id, "user_id": user_id, "is_chair": False, "is_honorary": False,
         "created_at": datetime.now(UTC), "updated_at": datetime.now(UTC)} for user_id in ids])
    db.session.commit()


def score_half(round_: Round) -> None:
    """Every other (juror, entry) pair gets a submitted sheet, so the cells are mixed."""
    db.session.query(Score).delete()
    db.session.query(ScoreSheet).delete()
    now = datetime.now(UTC)
    members = db.session.scalars(select(JuryMember.id)).all()
    registrations = db.session.scalars(select(Registration.id)).all()
    pairs = [(m, r) for i, m in enumerate(members) for j, r in enumerate(registrations) if (i + j) % 2 == 0]
    db.session.execute(insert(ScoreSheet), [
        {"member_id": m, "registration_id": r, "round_id": round_.id, "status": "submitted", "source": "online",
         "comment": "", "version": 1, "submitted_at": now, "reopen_reason": "", "created_at": now, "updated_at": now}
        for m, r in pairs])
    db.session.commit()


def main() -> int:
    app = build_app()
    with app.app_context():
        contest, organiser = make_contest()
        contest.status = "judging"
        round_ = Round(contest=contest, name_en="Final", stage="final", position=1)
        criterion = Criterion(contest=contest, name_en="Content", position=1, max_score=10, step=1, weight=1)
        db.session.add_all([round_, criterion])
        db.session.commit()
        contest_id, round_id, session_id = contest.id, round_.id, open_session(organiser)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    url = f"/manage/contests/{contest_id}/jury/rounds/{round_id}/progress"
    results = {}
    jurors_so_far = entries_so_far = 0
    for jurors, entries in SIZES:
        with app.app_context():
            contest = db.session.get(Contest, contest_id)
            add_registrations(contest, entries - entries_so_far)
            db.session.execute(Registration.__table__.update().values(status="approved"))
            add_jurors(contest, jurors - jurors_so_far, jurors_so_far)
            score_half(db.session.get(Round, round_id))
        jurors_so_far, entries_so_far = jurors, entries
        results[(jurors, entries)] = measure(app, client, url)
    for (jurors, entries), (queries, seconds) in results.items():
        print(f"{jurors:>3} jurors x {entries:>4} entries: {queries} queries, {seconds * 1000:.0f} ms")
    counts = {queries for queries, _seconds in results.values()}
    print("database:", app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0])
    if len(counts) != 1:
        print("FAIL: the matrix's query count grows with the jury or the field")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
