"""One rule for the reasons staff write (rejection, exception for an incomplete entry, reopening,
recusal, conflict, revocation, withdrawing results): trimmed, required, bounded, refused beside
the field with a message in the reader's language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from contest.errors import ServiceError, optional_reason, required_reason


def test_a_reason_is_kept_without_surrounding_blanks(app):
    assert required_reason("  Sent on paper \n", "reason", 20) == "Sent on paper"
    assert optional_reason("   ", "reason", 20) == ""


@pytest.mark.parametrize("text", [None, "", "   \n\t"])
def test_an_empty_reason_is_refused_beside_its_field(app, text):
    with pytest.raises(ServiceError) as refusal:
        required_reason(text, "override_reason", 20)
    assert refusal.value.field == "override_reason"
    with force_locale("kk"):
        assert str(refusal.value.message) == "Себебін жазыңыз."


def test_a_form_may_say_what_the_reason_is_for(app):
    with pytest.raises(ServiceError) as refusal:
        required_reason(" ", "reason", 20, missing="Say why the results are withdrawn.")
    assert str(refusal.value.message) == "Say why the results are withdrawn."


@pytest.mark.parametrize("check", [required_reason, optional_reason])
def test_a_reason_longer_than_the_limit_is_refused_with_the_limit(app, check):
    assert check("x" * 20, "reason", 20) == "x" * 20
    with pytest.raises(ServiceError) as refusal:
        check("x" * 21, "reason", 20)
    assert refusal.value.field == "reason"
    with force_locale("ru"):
        assert str(refusal.value.message) == "Причина слишком длинная (не более 20 символов)."
