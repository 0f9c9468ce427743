"""The follow-ups pages: HR's list of a period's flagged people and their decisions (HR only), and
the employee's acknowledgement of a formal warning."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from metrics.followups.exports import follow_ups_csv, follow_ups_table, follow_ups_xlsx
from metrics.followups.forms import DecisionForm, FollowUpFilterForm, RankingFilterForm
from metrics.followups.models import FollowUpDecision
from metrics.followups.ranking import ranking_plans, year_ranking, year_ranking_table
from metrics.followups.selectors import follow_up_list, follow_up_person, follow_up_result, period_flags
from metrics.followups.services import FollowUpRefused, follow_up_acknowledge, follow_up_decide
from people.access import HR_ROLES, AuthenticatedHttpRequest, role_required
from people.models import User
from plans.formats import period_text
from plans.periods import Period
from plans.refusals import refusal_show

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*HR_ROLES)
@require_GET
def follow_ups(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    summary = period_flags(period=period)
    form = FollowUpFilterForm(request.GET or None, flags=summary.flags)
    flag, department = form.chosen()
    data = follow_up_list(
        period=period, summary=summary, flag=flag, department_id=department, page=request.GET.get("page")
    )
    return render(
        request, "metrics/followups_list.html", {"data": data, "form": form, "query": request.GET.urlencode()}
    )


@role_required(*HR_ROLES)
@require_GET
def follow_ups_export(request: AuthenticatedHttpRequest, period: Period, extension: str) -> HttpResponse:
    flag, department = FollowUpFilterForm(request.GET or None, flags=period_flags(period=period).flags).chosen()
    table = follow_ups_table(period=period, flag=flag, department_id=department)
    if extension == "csv":
        response = HttpResponse(follow_ups_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(follow_ups_xlsx(table), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="follow-ups-{period}.{extension}"'
    return response


@role_required(*HR_ROLES)
def follow_up_decide_view(request: AuthenticatedHttpRequest, period: Period, username: str) -> HttpResponse:
    """One flagged person of the period: their decision's history, and the form that records the next."""
    employee = get_object_or_404(User, username=username)
    result = follow_up_result(employee=employee, period=period)
    if result is None:
        raise Http404
    person = follow_up_person(result=result)
    form = DecisionForm(request.POST or None, choices=person.choices)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = follow_up_decide(
                employee=employee,
                period=period,
                choice=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except FollowUpRefused as refused:
            refusal_show(refused, form=form)
        else:
            what = {"name": person.name, "period": person.period_label}
            if outcome.changed:
                messages.success(request, _("The decision for %(name)s (%(period)s) is recorded.") % what)
            else:
                messages.info(
                    request, _("%(name)s’s decision for %(period)s was that already: nothing changed.") % what
                )
            return redirect("metrics:follow_ups", period=str(period))
    return render(request, "metrics/followups_person.html", {"person": person, "form": form})


@login_required
@require_POST
def follow_up_acknowledge_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Fetched among the user's own decisions: anybody else's is not found.
    decision = get_object_or_404(FollowUpDecision, pk=pk, employee=request.user)
    try:
        follow_up_acknowledge(decision=decision, user=request.user)
    except FollowUpRefused as refused:
        refusal_show(refused, request=request)
    else:
        messages.success(
            request,
            _("You acknowledged the formal warning of %(period)s.") % {"period": period_text(decision.period)},
        )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("metrics:scorecard_mine")


@role_required(*HR_ROLES)
@require_GET
def year_ranking_page(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    """A year's ranking, of a plan and a department, with the streaks and follow-up decisions of the year."""
    form = RankingFilterForm(request.GET or None, plans=ranking_plans(year=period))
    plan, department = form.chosen()
    data = year_ranking(year=period, plan=plan, department_id=department, page=request.GET.get("page"))
    return render(request, "metrics/year_ranking.html", {"data": data, "form": form, "query": request.GET.urlencode()})


@role_required(*HR_ROLES)
@require_GET
def year_ranking_export(request: AuthenticatedHttpRequest, period: Period, extension: str) -> HttpResponse:
    plan, department = RankingFilterForm(request.GET or None, plans=ranking_plans(year=period)).chosen()
    table = year_ranking_table(year=period, plan=plan, department_id=department)
    if extension == "csv":
        response = HttpResponse(follow_ups_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(follow_ups_xlsx(table), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ranking-{period}.{extension}"'
    return response
