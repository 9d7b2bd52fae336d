"""The running order: a reproducible draw, by category, moves, late arrivals and absences,
who may change it, and announcing it (the page and one e-mail per account)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.db import utcnow
from contest.errors import ServiceError
from contest.judging.assignment import NOT_IN_ROUND, round_registrations, why_closed
from contest.judging.models import PerformanceSlot
from contest.judging.progress import progress_matrix
from contest.results.services import missing_sheets
from contest.stage import control, order
from contest.stage.models import StageState
from tests.conftest import mail_body
from tests.registration.helpers import one_work_entry, subject
from tests.stage.test_control import last_event, refused


def codes(round_) -> list[str]:
    return [slot.registration.code for slot in order.running_order(round_)]


def test_the_same_seed_draws_the_same_order_and_the_draw_is_recorded(db, live):
    j = live(entries=6)
    chair = j.jurors[0].user
    order.draw_order(j.round, seed="almaty-2027", actor=chair)
    first = codes(j.round)
    order.order_by_category(j.round, actor=chair)  # one category: nothing moves
    assert codes(j.round) == first
    order.draw_order(j.round, seed="another", actor=chair)
    assert codes(j.round) != first  # 6! orders: another seed almost surely differs (and does for these)
    order.draw_order(j.round, seed="almaty-2027", actor=chair)
    assert codes(j.round) == first
    expected = order.drawn_order(sorted(entry.code for entry in j.entries), "almaty-2027")
    assert first == expected
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stage.order_drawn")
                               .order_by(AuditEvent.id)).first()
    assert event.actor_id == chair.id and event.data["seed"] == "almaty-2027" and event.data["order"] == first
    assert event.data["drawn_at"]


def test_a_draw_without_a_seed_makes_one_up_and_returns_it(db, live):
    j = live(entries=4)
    seed = order.draw_order(j.round, seed="", actor=j.organiser)
    assert len(seed) == 16
    assert codes(j.round) == order.drawn_order(sorted(entry.code for entry in j.entries), seed)


def test_by_category_keeps_the_categories_in_the_contests_order(db, live, make_category, make_registration):
    j = live(entries=2)
    second = make_category(j.contest, position=0)  # listed first
    later = make_registration(j.contest, status="approved", category=second)
    db.session.add(one_work_entry(later, title="Poem", text="A line"))
    db.session.commit()
    order.order_by_category(j.round, actor=j.organiser)
    assert codes(j.round)[0] == later.code


def test_moves_up_down_and_a_late_arrival_to_the_end(db, live):
    j = live(entries=3)
    a, b, c = (entry.code for entry in j.entries)
    order.move_performer(j.round, j.entries[1].id, "up", actor=j.organiser)
    assert codes(j.round) == [b, a, c]
    order.move_performer(j.round, j.entries[1].id, "up", actor=j.organiser)  # already first: stays
    assert codes(j.round) == [b, a, c]
    order.move_performer(j.round, j.entries[1].id, "end", actor=j.organiser)
    assert codes(j.round) == [a, c, b]
    with pytest.raises(ServiceError):
        order.move_performer(j.round, j.entries[1].id, "sideways", actor=j.organiser)


def test_an_absent_performer_is_owed_no_sheet(db, live):
    j = live(entries=3)
    order.mark_absent(j.round, j.entries[1].id, True, actor=j.jurors[0].user)
    assert j.entries[1] not in round_registrations(j.round)
    matrix = progress_matrix(j.round)
    assert all(not any(entry.id == j.entries[1].id for entry in matrix.pending(member)) for member in j.jurors)
    assert {sheet.code for sheet in missing_sheets(j.round)} == {j.entries[0].code, j.entries[2].code}
    assert [slot.is_absent for slot in order.running_order(j.round)] == [False, True, False]
    assert why_closed(j.jurors[1], j.entries[1], j.round) == NOT_IN_ROUND  # no sheet may be sent either
    # A late arrival: present again, at the end.
    order.move_performer(j.round, j.entries[1].id, "end", actor=j.organiser)
    assert [(slot.registration.code, slot.is_absent) for slot in order.running_order(j.round)][-1] == \
        (j.entries[1].code, False)
    assert j.entries[1] in round_registrations(j.round)
    assert why_closed(j.jurors[1], j.entries[1], j.round) is None


def test_only_the_chair_or_an_organiser_changes_the_order(db, live, make_juror):
    j = live(entries=2)
    for someone in (j.jurors[1].user, None):
        with pytest.raises(ServiceError):
            order.draw_order(j.round, seed="x", actor=someone)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "stage.order_drawn")) is None


def test_a_writing_round_is_not_live_unless_marked(db, judging):
    j = judging(entries=2)
    with pytest.raises(ServiceError, match="not a live round"):
        order.draw_order(j.round, seed="x", actor=j.organiser)
    j.round.is_live = True
    order.draw_order(j.round, seed="x", actor=j.organiser)


def test_announcing_mails_each_account_once_and_shows_the_place(app, db, live, mailbox, make_participant,
                                                                 make_registration, make_user, monkeypatch):
    j = live(entries=2)
    monkeypatch.setitem(app.config, "SITE_URL", "https://konkurs.example.kz")  # the e-mail's link
    teacher = make_user()
    pupils = [make_registration(j.contest, participant=make_participant(account=teacher), status="approved")
              for _ in range(2)]
    for pupil in pupils:
        db.session.add(one_work_entry(pupil, title="Poem", text="A line"))
    db.session.commit()
    emailed = order.publish_order(j.round, actor=j.organiser)
    db.session.commit()
    assert emailed == 3  # two participants' own accounts, and the teacher's for both pupils
    to_teacher = [message for message in mailbox if message["To"] == teacher.email]
    assert len(to_teacher) == 1 and j.contest.title_en in subject(to_teacher[0])
    body = mail_body(to_teacher[0])
    assert pupils[0].code in body and pupils[1].code in body
    with app.test_request_context(), force_locale("kk"):  # the teacher's account reads Kazakh
        assert gettext("Place in the performance order: %(position)s. Participant: %(participant)s (%(code)s).",
                       position=4, participant=pupils[1].participant.full_name, code=pupils[1].code) in body
    assert "https://konkurs.example.kz/my" in body
    assert last_event(db, "stage.order_published")[:3] == (j.organiser.id, "Round", j.round.id)
    assert [slot.position for _round, slot in order.published_slot(pupils[1])] == [4]
    with pytest.raises(ServiceError, match="already been announced"):
        order.publish_order(j.round, actor=j.organiser)


def test_a_move_is_one_place_and_stops_at_either_end(db, live):
    j = live(entries=4)
    chair = j.jurors[0].user
    order.draw_order(j.round, seed="hall-2", actor=chair)
    first, second, third, fourth = codes(j.round)
    ids = {slot.registration.code: slot.registration.id for slot in order.running_order(j.round)}
    order.move_performer(j.round, ids[second], "down", actor=chair)
    assert codes(j.round) == [first, third, second, fourth]
    assert last_event(db, "stage.order_moved") == (chair.id, "Registration", ids[second], {
        "contest_id": j.contest.id, "round_id": j.round.id, "code": second, "direction": "down"})
    order.move_performer(j.round, ids[second], "up", actor=chair)
    assert codes(j.round) == [first, second, third, fourth]
    moves = db.session.scalar(select(func.count()).where(AuditEvent.action == "stage.order_moved"))
    order.move_performer(j.round, ids[fourth], "down", actor=chair)  # last already: nothing moves
    order.move_performer(j.round, ids[first], "up", actor=chair)  # first already
    assert codes(j.round) == [first, second, third, fourth]
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "stage.order_moved")) == moves
    assert refused(order.move_performer, j.round, ids[first], "sideways", actor=chair) == \
        "Choose where to move the performer."
    assert refused(order.move_performer, j.round, max(ids.values()) + 1000, "up", actor=chair) == \
        "This entry is not among the entries judged in this round."


def test_absence_and_places_are_fixed_once_a_performer_is_on_stage_or_done(db, live):
    j = live(entries=3)
    chair = j.jurors[0].user
    last = j.entries[2]
    order.mark_absent(j.round, last.id, True, actor=chair)
    where = {"contest_id": j.contest.id, "round_id": j.round.id, "code": last.code}
    assert last_event(db, "stage.absent") == (chair.id, "Registration", last.id, where)
    order.mark_absent(j.round, last.id, False, actor=chair)
    assert last_event(db, "stage.present") == (chair.id, "Registration", last.id, where)
    on_stage = control.call_on_stage(j.round, j.entries[0].id, actor=chair)
    assert refused(order.mark_absent, j.round, on_stage.id, True, actor=chair) == \
        f"{on_stage.code} is on stage or has already performed."
    control.close_performance(j.round, actor=chair)
    assert refused(order.mark_absent, j.round, on_stage.id, True, actor=chair) == \
        f"{on_stage.code} is on stage or has already performed."
    assert refused(order.move_performer, j.round, on_stage.id, "end", actor=chair) == \
        f"{on_stage.code} has already performed: the place cannot change."
    started = "Performances have started: move performers one by one instead of reordering the whole round."
    assert refused(order.draw_order, j.round, seed="again", actor=chair) == started  # nobody on stage now
    assert refused(order.order_by_category, j.round, actor=chair) == started


def test_a_seed_has_at_most_64_characters_and_the_draw_and_grouping_are_audited(db, live):
    j = live(entries=2)
    chair = j.jurors[0].user
    with pytest.raises(ServiceError) as refusal:
        order.draw_order(j.round, seed="s" * 65, actor=chair)
    assert (str(refusal.value.message), refusal.value.field) == ("At most 64 characters.", "seed")
    assert order.draw_order(j.round, seed="s" * 64, actor=chair) == "s" * 64
    actor, kind, object_id, data = last_event(db, "stage.order_drawn")
    assert (actor, kind, object_id, data["contest_id"], data["seed"]) == (
        chair.id, "Round", j.round.id, j.contest.id, "s" * 64)
    order.order_by_category(j.round, actor=chair)
    assert last_event(db, "stage.order_by_category") == (chair.id, "Round", j.round.id, {
        "contest_id": j.contest.id, "order": codes(j.round)})


def test_an_absent_performer_moved_a_place_stays_absent(db, live):
    j = live(entries=3)
    chair, absent = j.jurors[0].user, j.entries[2]
    order.mark_absent(j.round, absent.id, True, actor=chair)
    order.move_performer(j.round, absent.id, "up", actor=chair)
    assert [slot.is_absent for slot in order.running_order(j.round) if slot.registration.id == absent.id] == [True]
    order.move_performer(j.round, absent.id, "end", actor=chair)  # a late arrival: present, last
    assert [(slot.registration.id, slot.is_absent) for slot in order.running_order(j.round)][-1] == (absent.id, False)


def test_each_account_reads_the_announcement_in_its_own_language(app, db, live, mailbox):
    """Russian for an account that chose it; Kazakh, the site's language, for one that chose
    nothing or a language the site does not speak."""
    j = live(entries=3)
    j.contest.title_kk, j.contest.title_ru = "Шәкәрім оқулары", "Шакаримовские чтения"
    accounts = [entry.participant.account for entry in j.entries]
    for account, language in zip(accounts, ("ru", "de", None), strict=True):
        account.preferred_language = language
    db.session.commit()
    order.publish_order(j.round, actor=j.organiser)
    db.session.commit()
    sent = {message["To"]: message for message in mailbox}
    assert set(sent) == {account.email for account in accounts}
    for account, language, title in zip(accounts, ("ru", "kk", "kk"), (j.contest.title_ru, j.contest.title_kk,
                                                                       j.contest.title_kk), strict=True):
        with app.test_request_context(), force_locale(language):
            assert subject(sent[account.email]) == gettext("Performance order: %(contest)s", contest=title)
            body = mail_body(sent[account.email])
            assert gettext("Hello, %(name)s!", name=account.name) in body
            assert gettext("Contest: %(contest)s", contest=title) in body
            assert gettext("Round: %(round)s", round=j.round.label) in body


def test_the_announcements_link_is_the_sites_own_address_or_none(app, db, live, mailbox, monkeypatch):
    """Announced from the site, the link is the address the organiser used; from a command
    without SITE_URL there is no address to give, so no link (never a localhost one)."""
    j = live(entries=1)
    with app.test_request_context(base_url="https://kitaphana.example.kz"):
        order.publish_order(j.round, actor=j.organiser)
    db.session.commit()
    assert "https://kitaphana.example.kz/my\n" in mail_body(mailbox[-1])
    other = live(entries=1)
    monkeypatch.setitem(app.config, "SITE_URL", "")
    order.publish_order(other.round, actor=other.organiser)
    db.session.commit()
    lines = [line for line in mail_body(mailbox[-1]).splitlines() if line.strip()]
    assert "http" not in "".join(lines)
    with app.test_request_context(), force_locale("kk"):  # no language chosen: the site's
        advice = gettext("The order may still change on the day (a late arrival goes to the end); your registration "
                         "page always shows the current place.")
        signature = gettext("Almaty Centralized Library System")
    assert lines[-2:] == [advice, signature]  # no link line, not even an empty-looking one


def test_announcing_is_audited_and_refused_without_performers(db, live, mailbox):
    empty = live(entries=0)
    assert refused(order.publish_order, empty.round, actor=empty.organiser) == "No performers in this round yet."
    assert not mailbox
    j = live(entries=2)
    assert order.publish_order(j.round, actor=j.organiser) == 2
    accounts = sorted(entry.participant.account_id for entry in j.entries)
    assert last_event(db, "stage.order_published") == (j.organiser.id, "Round", j.round.id, {
        "contest_id": j.contest.id, "order": codes(j.round), "emailed": accounts})
    assert refused(order.publish_order, j.round, actor=j.organiser) == \
        "The running order has already been announced."


def test_the_refusals_say_why_the_order_cannot_change(db, live, judging):
    writing = judging(entries=1)
    assert refused(order.move_performer, writing.round, writing.entries[0].id, "up", actor=writing.organiser) == \
        "This round is not a live round: mark it live in the round's settings."
    j = live(entries=2)
    j.contest.status = "results_published"
    db.session.commit()
    for call in (lambda: order.draw_order(j.round, seed="x", actor=j.organiser),
                 lambda: order.mark_absent(j.round, j.entries[0].id, True, actor=j.organiser),
                 lambda: order.publish_order(j.round, actor=j.organiser)):
        assert refused(call) == "The results are published: the running order can no longer change."


def test_a_registration_page_lists_only_announced_orders(db, live):
    j = live(entries=2)
    assert order.published_slot(j.entries[1]) == []
    order.move_performer(j.round, j.entries[1].id, "up", actor=j.organiser)
    assert order.published_slot(j.entries[1]) == []  # moved, not yet announced
    order.publish_order(j.round, actor=j.organiser)
    [(round_, slot)] = order.published_slot(j.entries[1])
    assert (round_.id, slot.position, slot.registration.id, slot.is_absent) == (j.round.id, 1, j.entries[1].id, False)


def test_a_deactivated_account_is_not_emailed(db, live, mailbox, make_participant, make_registration, make_user):
    j = live(entries=1)
    teacher = make_user(is_active=False)
    pupil = make_registration(j.contest, participant=make_participant(account=teacher), status="approved")
    db.session.add(one_work_entry(pupil, title="Poem", text="A line"))
    db.session.commit()
    assert order.publish_order(j.round, actor=j.organiser) == 1
    db.session.commit()
    assert [message["To"] for message in mailbox] == [j.entries[0].participant.account.email]


def test_the_registration_page_lists_its_rounds_in_the_contests_order_and_says_performed(db, live, make_round):
    j = live(entries=2)
    chair = j.jurors[0].user
    performer = j.entries[0]
    order.publish_order(j.round, actor=chair)
    control.call_on_stage(j.round, performer.id, actor=chair)
    control.close_performance(j.round, actor=chair)
    # A heat listed before the round though added after it, its order announced too (rows as the
    # heat's own announcement leaves them).
    heat = make_round(j.contest, stage="qualifying", position=j.round.position - 1)
    db.session.add_all([PerformanceSlot(round_id=heat.id, registration_id=performer.id, position=2),
                        StageState(round_id=heat.id, order_published_at=utcnow())])
    db.session.commit()
    places = [(round_.id, slot.position, slot.is_closed) for round_, slot in order.published_slot(performer)]
    assert places == [(heat.id, 2, False), (j.round.id, 1, True)]


def test_a_closed_performance_keeps_its_time_when_others_move(db, live):
    """Moving performers rewrites the order: a performance already given keeps when it closed and
    how long it took (the protocol and the overrun read them)."""
    j = live(entries=3)
    chair = j.jurors[0].user
    control.call_on_stage(j.round, None, actor=chair)
    slot = control.close_performance(j.round, actor=chair)
    closed_at, duration = slot.closed_at, slot.duration_seconds
    assert closed_at is not None and duration is not None
    order.move_performer(j.round, j.entries[2].id, "up", actor=chair)
    order.move_performer(j.round, j.entries[1].id, "end", actor=chair)
    given = [item for item in order.running_order(j.round) if item.registration.id == j.entries[0].id]
    assert [(item.is_closed, item.closed_at, item.duration_seconds) for item in given] == [(True, closed_at, duration)]
    assert [item.is_closed for item in order.running_order(j.round)] == [True, False, False]
