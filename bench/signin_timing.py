"""How long a refused sign-in takes, for an existing account (wrong password) and for an e-mail
with no account (and for a disabled account), at the production Argon2id cost.

    python -m bench.signin_timing

Posts the sign-in form through the app (SQLite in a temporary file, the throttle raised so that
it never answers first), in turns so that each path takes each position equally often, and prints the median of
each path. The last line is `ratio: <unknown e-mail / wrong password>`: near 1.00 means the
answer's timing does not tell which e-mails have accounts (before the dummy hash: about 0.03)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

from sqlalchemy import text

from config import Config
from contest import create_app
from contest.auth.models import User
from contest.auth.passwords import hash_password
from contest.extensions import db

ROUNDS = 15
PASSWORD = "correct-horse-battery-staple"


def build_app():
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3", MAIL_BACKEND="log",
        ARGON2_TIME_COST=Config.ARGON2_TIME_COST, ARGON2_MEMORY_COST=Config.ARGON2_MEMORY_COST,
        LOGIN_MAX_FAILURES=10**6, WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        db.session.add_all([
            User(email="poet@example.kz", name="Poet", password_hash=hash_password(PASSWORD)),
            User(email="off@example.kz", name="Off", password_hash=hash_password(PASSWORD), is_active=False)])
        db.session.commit()
    return app


def sign_in_time(client, email: str, password: str) -> float:
    started = time.perf_counter()
    response = client.post("/login", data={"email": email, "password": password})
    elapsed = time.perf_counter() - started
    assert response.status_code == 422, response.status_code
    return elapsed


def main() -> int:
    app = build_app()
    client = app.test_client()
    paths = {
        "wrong password": lambda _: ("poet@example.kz", "not-the-password"),
        "unknown e-mail": lambda n: (f"nobody{n}@example.kz", "not-the-password"),
        "disabled account": lambda _: ("off@example.kz", PASSWORD),
    }
    times: dict[str, list[float]] = {name: [] for name in paths}
    sign_in_time(client, "warm-up@example.kz", "x")  # builds the dummy hash once, as a worker does
    for round_number in range(ROUNDS):
        names = list(paths)
        shift = round_number % len(names)  # each path takes each position in turn
        order = names[shift:] + names[:shift]
        for name in order:
            times[name].append(sign_in_time(client, *paths[name](round_number)))

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"Argon2id time_cost={Config.ARGON2_TIME_COST} memory_cost={Config.ARGON2_MEMORY_COST} KiB, "
          f"{ROUNDS} rounds")
    for name, median in medians.items():
        print(f"{name:<18}{median * 1000:>9.1f} ms (median)")
    ratio = medians["unknown e-mail"] / medians["wrong password"]
    print(f"ratio: {ratio:.2f} (unknown e-mail / wrong password; disabled / wrong password: "
          f"{medians['disabled account'] / medians['wrong password']:.2f})")
    return 0 if 0.8 <= ratio <= 1.25 else 1


if __name__ == "__main__":
    sys.exit(main())
