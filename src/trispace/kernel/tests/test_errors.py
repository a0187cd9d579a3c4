"""Domain errors: stable codes, translated messages with parameters, the field at fault."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from trispace.kernel import errors
from trispace.kernel.errors import DomainError, ErrorCode

STOCK_SHORT = ErrorCode("stock_short", "Only {left} left of {name}.", 409)


def test_as_dict_has_code_message_and_field() -> None:
    error = errors.NOT_FOUND(field="order")
    assert isinstance(error, DomainError)
    assert error.as_dict() == {"code": "not_found", "message": "Not found.", "field": "order"}
    assert error.status == 404
    assert error.code == "not_found"


def test_message_params_are_filled_in() -> None:
    error = STOCK_SHORT(left=3, name="牛奶")
    assert error.message == "Only 3 left of 牛奶."
    assert error.params == {"left": 3, "name": "牛奶"}
    assert error.field is None
    assert error.status == 409
    assert str(error) == "stock_short: Only 3 left of 牛奶."


def test_missing_params_leave_the_text_as_it_is() -> None:
    assert STOCK_SHORT(left=3).message == "Only {left} left of {name}."
    assert ErrorCode("x", "{0} broken").__call__(anything=1).message == "{0} broken"


def test_params_without_placeholders_are_harmless() -> None:
    error = errors.TRANSITION_NOT_ALLOWED(field="status", current="paid", to="draft")
    assert error.message == "This action is not allowed in the current status."
    assert error.as_dict()["field"] == "status"


def test_a_specific_message_overrides_the_default() -> None:
    error = errors.INVALID("Quantity must be at least {n}.", field="quantity", n=1)
    assert error.as_dict() == {
        "code": "invalid",
        "message": "Quantity must be at least 1.",
        "field": "quantity",
    }


def test_lazy_messages_follow_the_active_language() -> None:
    code = ErrorCode("hello", _("Not found."), 404)
    with translation.override("en"):
        assert code().message == "Not found."
    with translation.override("zh-hans"):
        message = code().message
    assert isinstance(message, str)
    assert message


def test_it_can_be_raised_and_caught_by_code() -> None:
    with pytest.raises(DomainError) as caught:
        raise errors.CONFLICT()
    assert caught.value.code == "conflict"
    assert caught.value.status == 409
    assert caught.value.error is errors.CONFLICT


def test_shared_codes_are_distinct_and_4xx() -> None:
    shared = [value for value in vars(errors).values() if isinstance(value, ErrorCode)]
    assert len({code.code for code in shared}) == len(shared)
    assert all(400 <= code.status < 500 for code in shared)
