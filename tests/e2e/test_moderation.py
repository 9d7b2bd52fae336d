"""An organiser opens a contest's registrations, approves one and rejects another with a reason."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD


def test_organiser_approves_one_registration_and_rejects_another(page, db, make_user, open_contest,
                                                                  make_participant, make_registration, mailbox):
    make_user(email="organiser@example.kz", name="Айгерім Сәрсенбаева", role="organiser")
    teacher = make_user(email="teacher@example.kz", name="Гүлнар Әбілқызы", preferred_language="kk")
    contest = open_contest(title_kk="Шәкәрім оқулары")
    first = make_registration(contest, participant=make_participant(account=teacher, surname="Әлиева",
                                                                      given_name="Дана"))
    second = make_registration(contest, participant=make_participant(account=teacher, surname="Нұрланов",
                                                                       given_name="Арман"))
    contest_id, first_code, second_code = contest.id, first.code, second.code
    db.session.commit()  # end the test's read transaction: SQLite would keep the server from writing

    page.goto(f"/manage/contests/{contest_id}")
    page.get_by_label("Электрондық пошта").fill("organiser@example.kz")
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Кіру").click()
    page.get_by_role("link", name="Тіркеулерді ашу").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Тіркеулер")
    expect(page.get_by_text("2 тіркеу табылды")).to_be_visible()
    page.get_by_label("Осы беттегінің бәрін таңдау").check()  # the script ticks every row
    expect(page.get_by_label(f"{first_code} таңдау")).to_be_checked()
    expect(page.get_by_label(f"{second_code} таңдау")).to_be_checked()
    page.get_by_label("Осы беттегінің бәрін таңдау").uncheck()

    page.get_by_role("link", name=first_code).click()
    expect(page.get_by_text("Әлиева Дана")).to_be_visible()
    page.get_by_role("button", name="Мақұлдау").click()
    expect(page.get_by_text(f"{first_code} тіркеуі мақұлданды.")).to_be_visible()

    page.get_by_role("link", name="Тіркеулер").click()
    page.get_by_role("link", name=second_code).click()
    page.get_by_role("button", name="Қабылдамау").click()  # no reason yet: refused, nothing to confirm
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_text("Қабылдамау себебін жазыңыз")).to_have_count(2)  # summary and beside the field
    page.get_by_label("Қабылдамау себебі").fill("Өлең байқау тақырыбына сай емес.")
    page.get_by_role("button", name="Қабылдамау").click()
    dialog = page.get_by_role("dialog", name="Растаңыз")
    expect(dialog).to_contain_text("Тіркеуді қабылдамайсыз ба?")
    dialog.get_by_role("button", name="Қабылдамау").click()
    expect(page.get_by_text(f"{second_code} тіркеуі қабылданбады.")).to_be_visible()
    expect(page.get_by_text("Өлең байқау тақырыбына сай емес.")).to_be_visible()

    db.session.expire_all()
    assert (first.status, second.status) == ("approved", "rejected")
    assert [message["To"] for message in mailbox] == ["teacher@example.kz", "teacher@example.kz"]
