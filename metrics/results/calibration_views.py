"""The calibration pages: HR's board of a period, a move, a decision on a proposal, the release;
a manager's proposal from their report's scorecard."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from metrics.results.calibration import (
    REASON_MAX_LENGTH,
    CalibrationRefused,
    calibration_move,
    calibration_proposal_decide,
    calibration_propose,
    period_release,
)
from metrics.results.calibration_board import calibration_board
from metrics.results.models import CalibrationMove, Result
from people.access import HR_ROLES, MANAGER_ROLES, AuthenticatedHttpRequest, role_required
from plans.periods import Period
from plans.refusals import refusal_show


class MoveForm(forms.Form):
    band = forms.CharField(label=gettext_lazy("Move to band"), max_length=32)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=REASON_MAX_LENGTH, required=False)


def _board_url(period: Period) -> str:
    return reverse("metrics:calibration", args=[str(period)])


@role_required(*HR_ROLES)
@require_GET
def calibration(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    board = calibration_board(period=period, page=request.GET.get("page"))
    return render(request, "metrics/calibration_board.html", {"board": board, "period": str(period)})


@role_required(*HR_ROLES)
@require_POST
def calibration_move_view(request: AuthenticatedHttpRequest, period: Period, result_id: int) -> HttpResponse:
    result = get_object_or_404(Result, pk=result_id, period=str(period))
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            move = calibration_move(
                result=result, band=form.cleaned_data["band"], reason=form.cleaned_data["reason"], user=request.user
            )
        except CalibrationRefused as refused:
            refusal_show(refused, request=request)
        else:
            messages.success(
                request,
                _("%(name)s moved from %(from)s to %(to)s.")
                % {"name": result.employee.display_name or result.employee.username, "from": move.from_band or "—",
                   "to": move.to_band},
            )  # fmt: skip
    else:
        messages.error(request, _("Choose a band and give a reason."))
    return redirect(_board_url(period) + f"?page={request.POST.get('page', '1')}")


@role_required(*HR_ROLES)
@require_POST
def calibration_decide(request: AuthenticatedHttpRequest, period: Period, move_id: int) -> HttpResponse:
    move = get_object_or_404(CalibrationMove, pk=move_id, period=str(period))
    accept = request.POST.get("decision") == "accept"
    try:
        calibration_proposal_decide(move=move, accept=accept, user=request.user)
    except CalibrationRefused as refused:
        refusal_show(refused, request=request)
    else:
        messages.success(request, _("The proposal was applied.") if accept else _("The proposal was rejected."))
    return redirect(_board_url(period))


@role_required(*HR_ROLES)
@require_POST
def calibration_release(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    try:
        outcome = period_release(period=period, user=request.user)
    except CalibrationRefused as refused:
        refusal_show(refused, request=request)
    else:
        if outcome.created:
            messages.success(request, _("The results are released: employees see them now."))
        else:
            messages.info(request, _("The results were released already: nothing changed."))
    return redirect(_board_url(period))


@role_required(*MANAGER_ROLES)
@require_POST
def calibration_propose_view(request: AuthenticatedHttpRequest, result_id: int) -> HttpResponse:
    # Through the manager's own scope: another team's result does not exist for them.
    result = get_object_or_404(Result.objects.select_related("employee"), pk=result_id, employee__manager=request.user)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            calibration_propose(
                result=result, band=form.cleaned_data["band"], reason=form.cleaned_data["reason"], user=request.user
            )
        except CalibrationRefused as refused:
            refusal_show(refused, request=request)
        else:
            messages.success(request, _("Your proposal was sent to HR."))
    else:
        messages.error(request, _("Choose a band and give a reason."))
    return redirect("metrics:scorecard", username=result.employee.username)
