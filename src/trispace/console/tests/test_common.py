"""The shared plumbing of back-office pages: refusal pages, "refused, go back", form submits."""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage

from trispace.console.views.common import refusal_page, refuse_back, submit
from trispace.kernel import errors as kerrors
from trispace.kernel.errors import ErrorCode

OTHER_404 = ErrorCode("thing_not_found", "No such thing.", 404)
OTHER_409 = ErrorCode("thing_busy", "Busy.", 409)


def _request(rf, method="get", data=None, **extra):
    request = getattr(rf, method)("/console/x/", data or {}, **extra)
    request.user = AnonymousUser()
    request._messages = CookieStorage(request)
    return request


def _messages(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


# --- refusal_page --------------------------------------------------------------------------------
@pytest.mark.parametrize("error", [kerrors.NOT_FOUND(), OTHER_404()])
def test_a_404_refusal_is_the_not_found_page(rf, error):
    response = refusal_page(_request(rf), error)
    assert response is not None
    assert response.status_code == 404


def test_a_403_refusal_is_the_forbidden_page_with_its_message(rf):
    response = refusal_page(_request(rf), kerrors.PERMISSION_DENIED("Not your store."))
    assert response is not None
    assert response.status_code == 403
    assert "Not your store." in response.content.decode()


@pytest.mark.parametrize("error", [kerrors.INVALID(), kerrors.CONFLICT(), OTHER_409()])
def test_any_other_refusal_has_no_page(rf, error):
    assert refusal_page(_request(rf), error) is None


# --- refuse_back ---------------------------------------------------------------------------------
def test_refuse_back_goes_back_where_the_request_came_from(rf):
    request = _request(rf, "post", HTTP_REFERER="/console/catalog/products/7/")
    response = refuse_back(request, kerrors.CONFLICT("Changed meanwhile."), "/default/")
    assert (response.status_code, response["Location"]) == (302, "/console/catalog/products/7/")
    assert _messages(request) == [("error", "Changed meanwhile.")]


def test_refuse_back_without_a_referer_goes_to_the_default(rf):
    request = _request(rf, "post")
    response = refuse_back(request, kerrors.INVALID(), "/default/")
    assert (response.status_code, response["Location"]) == (302, "/default/")


@pytest.mark.parametrize(
    ("error", "status"), [(kerrors.NOT_FOUND(), 404), (kerrors.PERMISSION_DENIED(), 403)]
)
def test_refuse_back_shows_404_and_403_as_pages_without_a_message(rf, error, status):
    request = _request(rf, "post", HTTP_REFERER="/back/")
    assert refuse_back(request, error, "/default/").status_code == status
    assert _messages(request) == []


# --- submit --------------------------------------------------------------------------------------
def _never(_data):
    raise AssertionError("the service must not be called")


def test_nothing_happens_on_a_get(rf):
    request = _request(rf, "get", {"name": "Ann"})
    form = NameForm(request.GET)
    assert submit(request, form, _never, success="Saved.", redirect_to="/done/") is None


def test_nothing_happens_when_the_form_is_not_valid(rf):
    request = _request(rf, "post", {"name": ""})
    form = NameForm(request.POST)
    assert submit(request, form, _never, success="Saved.", redirect_to="/done/") is None
    assert form.errors["name"]
    assert _messages(request) == []


def test_done_gives_the_message_and_the_redirect(rf):
    request = _request(rf, "post", {"name": "Ann"})
    calls = []
    response = submit(
        request,
        NameForm(request.POST),
        lambda data: calls.append(data["name"]),
        success="Saved.",
        redirect_to="/done/",
    )
    assert calls == ["Ann"]
    assert (response.status_code, response["Location"]) == (302, "/done/")
    assert _messages(request) == [("success", "Saved.")]


def test_message_and_redirect_may_come_from_the_result(rf):
    request = _request(rf, "post", {"name": "Ann"})
    response = submit(
        request,
        NameForm(request.POST),
        lambda data: {"pk": 42, "name": data["name"]},
        success=lambda result: f"{result['name']} was added.",
        redirect_to=lambda result: f"/things/{result['pk']}/",
    )
    assert response["Location"] == "/things/42/"
    assert _messages(request) == [("success", "Ann was added.")]


@pytest.mark.parametrize(
    ("field", "on"), [("name", "name"), ("elsewhere", "__all__"), (None, "__all__")]
)
def test_a_refusal_about_the_input_goes_on_the_form(rf, field, on):
    request = _request(rf, "post", {"name": "Ann"})
    form = NameForm(request.POST)

    def call(_data):
        raise kerrors.INVALID("Taken.", field=field)

    assert submit(request, form, call, success="Saved.", redirect_to="/done/") is None
    assert form.errors[on] == ["Taken."]
    assert _messages(request) == []


@pytest.mark.parametrize(
    ("error", "status"), [(kerrors.NOT_FOUND(), 404), (kerrors.PERMISSION_DENIED(), 403)]
)
def test_a_404_or_403_refusal_is_its_page(rf, error, status):
    request = _request(rf, "post", {"name": "Ann"})
    form = NameForm(request.POST)

    def call(_data):
        raise error

    response = submit(request, form, call, success="Saved.", redirect_to="/done/")
    assert response.status_code == status
    assert not form.non_field_errors()
    assert _messages(request) == []
