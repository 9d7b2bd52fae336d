"""Administrators manage accounts from the site."""

from __future__ import annotations

from sqlalchemy import select

from contest.audit.models import AuditEvent
from contest.auth.models import User


def page(response) -> str:
    return response.get_data(as_text=True)


def test_admin_finds_accounts_by_name_or_email(client, login_as, make_user):
    login_as("admin")
    make_user(name="Мұхтар Құлжанов", email="m@example.kz")
    make_user(name="Other Person", email="o@example.kz")
    html = page(client.get("/admin/users/?q=мұхтар"))
    assert "m@example.kz" in html and "o@example.kz" not in html
    html = page(client.get("/admin/users/?q=O@EXAMPLE"))
    assert "o@example.kz" in html and "m@example.kz" not in html


def test_junk_filters_do_not_break_the_page(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/?role=pirate&page=abc&q=" + "x" * 500).status_code == 200


def test_admin_changes_a_role_and_it_is_audited(client, db, login_as, make_user):
    admin = login_as("admin")
    user = make_user()
    response = client.post_form(f"/admin/users/{user.id}/role", {"role": "organiser"},
                                headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "is now: Organiser" in page(response)
    assert db.session.get(User, user.id).role == "organiser"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event.actor_id == admin.id


def test_unknown_role_is_refused(client, db, login_as, make_user):
    login_as("admin")
    user = make_user()
    response = client.post_form(f"/admin/users/{user.id}/role", {"role": "pirate"},
                                headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Choose one of the listed roles" in page(response)
    assert db.session.get(User, user.id).role == "participant"


def test_admin_cannot_lock_themselves_out(client, db, login_as):
    admin = login_as("admin")
    response = client.post_form(f"/admin/users/{admin.id}/disable", headers={"Accept-Language": "en"},
                                follow_redirects=True)
    assert "cannot change your own role" in page(response)
    assert db.session.get(User, admin.id).is_active


def test_disable_and_enable(client, db, login_as, make_user):
    login_as("admin")
    user = make_user()
    client.post_form(f"/admin/users/{user.id}/disable")
    assert db.session.get(User, user.id).is_active is False
    client.post_form(f"/admin/users/{user.id}/enable")
    assert db.session.get(User, user.id).is_active is True


def test_organiser_cannot_manage_accounts(client, login_as, make_user):
    login_as("organiser")
    user = make_user()
    assert client.get("/admin/users/").status_code == 403
    assert client.post_form(f"/admin/users/{user.id}/role", {"role": "admin"}).status_code == 403


def test_missing_account_is_404(client, login_as):
    login_as("admin")
    assert client.post_form("/admin/users/999999/disable").status_code == 404


def test_accounts_page_query_count_does_not_grow(client, db, login_as, make_user, count_queries):
    login_as("admin")
    client.get("/admin/users/")
    with count_queries() as few:
        client.get("/admin/users/")
    for number in range(60):
        db.session.add(User(email=f"bulk{number}@example.kz", name=f"Bulk {number}", password_hash="x"))
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/users/")
    assert many.count == few.count
