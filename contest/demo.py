"""Demo data for a fresh installation, built from the library's real events.

Idempotent: every piece is looked up by a natural key before it is created, so running
`flask --app contest demo` twice leaves one copy of everything.
"""

from __future__ import annotations

from contest.auth import services as accounts
from contest.auth.models import Role
from contest.contests.demo import load_contests

# Demo passwords are deliberately long enough to pass the password rules.
DEMO_ACCOUNTS = [
    ("admin@demo.kz", "Administrator Demo", Role.ADMIN, "demo-admin-Almaty-2026"),
    ("organiser@demo.kz", "Айгерім Сәрсенбаева", Role.ORGANISER, "demo-organiser-Abai-2026"),
    ("juror1@demo.kz", "Мұхтар Құлжанов", Role.JUROR, "demo-juror-Shakarim-1"),
    ("juror2@demo.kz", "Гүлнар Әбдіқадырова", Role.JUROR, "demo-juror-Shakarim-2"),
    ("juror3@demo.kz", "Ерлан Төлегенов", Role.JUROR, "demo-juror-Shakarim-3"),
    ("parent@demo.kz", "Сәуле Бекмұханова", Role.PARTICIPANT, "demo-parent-Aqynfest-1"),
    ("teacher@demo.kz", "Ğalym Jūmabaiūly", Role.PARTICIPANT, "demo-teacher-Aqynfest-2"),
    ("poet@demo.kz", "Әлихан Бөкейхан", Role.PARTICIPANT, "demo-poet-Aqynfest-3"),
]


def load_demo_accounts() -> list[tuple[str, str, str]]:
    logins = []
    for email, name, role, password in DEMO_ACCOUNTS:
        if accounts.find_user_by_email(email) is None:
            accounts.create_user(email=email, name=name, password=password, role=role)
        logins.append((email, password, role.value))
    return logins


def load_demo() -> list[tuple[str, str, str]]:
    from contest.judging.demo import load_jury
    from contest.news.demo import load_news
    from contest.registration.demo import load_registrations
    from contest.results.demo import load_results

    logins = load_demo_accounts()
    load_contests()
    load_news()
    load_registrations()
    load_jury()
    load_results()
    return logins
