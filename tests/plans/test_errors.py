"""The one error type: every refusal a service raises is an ApplicationError, shown by one helper."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from metrics.figures.forms import GridChangesError
from metrics.figures.services import FiguresError
from metrics.results.exports import ExportRefused
from metrics.results.parts import CloseRefused
from people.staffing.assignments import AssignmentRefused
from plans.errors import ApplicationError
from plans.numbers import NumberError
from plans.plan_file import PlanFileError
from plans.refusals import refusal_show
from plans.services import PlanError
from plans.tabular import TableError
from reviews.services import ReviewRefused


@pytest.mark.parametrize(
    "refusal",
    [
        TableError,
        PlanFileError,
        PlanError,
        NumberError,
        FiguresError,
        GridChangesError,
        CloseRefused,
        ExportRefused,
        AssignmentRefused,
        ReviewRefused,
    ],
)
def test_every_refusal_of_a_service_is_an_application_error(refusal: type[Exception]) -> None:
    assert issubclass(refusal, ApplicationError)


def test_one_message_or_several_and_the_text_of_them_all() -> None:
    assert ApplicationError("Reopening needs a reason.").messages == ["Reopening needs a reason."]
    several = ApplicationError(["Row 2, start: not a month", "Row 3, plan: unknown"])
    assert several.messages == ["Row 2, start: not a month", "Row 3, plan: unknown"]
    assert several.message == str(several) == "Row 2, start: not a month\nRow 3, plan: unknown"


class _CodeForm(forms.Form):
    code = forms.CharField()


def test_a_refusal_goes_on_the_form_under_its_field_or_on_the_form_as_a_whole() -> None:
    form = _CodeForm({"code": "customer-manager"})
    assert form.is_valid()
    refusal_show(PlanError("A plan “customer-manager” exists already."), form=form, field="code")
    refusal_show(AssignmentRefused(["li.lei: first", "han.mei: second"]), form=form)
    assert form.errors["code"] == ["A plan “customer-manager” exists already."]
    assert form.non_field_errors() == ["li.lei: first", "han.mei: second"]


def test_without_a_form_a_refusal_is_a_message_of_the_next_page() -> None:
    request = RequestFactory().post("/cycles/2026-01/close/")
    request.session = SessionStore()  # what SessionMiddleware would set
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # what MessageMiddleware would set
    refusal_show(CloseRefused("2026-01 is not closed."), request=request)
    assert [str(m) for m in get_messages(request)] == ["2026-01 is not closed."]
