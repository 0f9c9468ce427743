"""Pages of cycles (HR closes and reopens them), scorecards and dashboards."""

from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from kombu.exceptions import OperationalError as BrokerError

from metrics.cycles.selectors import cycle_status
from metrics.figures.reminders import ReminderRefused, reminder_send
from metrics.results.chase import cycle_chase
from metrics.results.closing import close_opens, cycle_close_request, cycle_reopen
from metrics.results.dashboard_export import dashboard_csv, dashboard_tables, dashboard_xlsx
from metrics.results.dashboards import Dashboard, dashboard, people_open, result_periods
from metrics.results.distribution import distribution_breaches
from metrics.results.exports import csv_pieces, scores_rows, xlsx_pieces
from metrics.results.forms import (
    CloseSelectionForm,
    DashboardFilterForm,
    ForceCloseForm,
    PayrollFilterForm,
    ReopenForm,
    ScorecardLookupForm,
)
from metrics.results.parts import CloseRefused, Selection, selection_describe
from metrics.results.payroll import (
    payroll_facets,
    payroll_page,
    payroll_results,
    payroll_totals,
    sort_links,
)
from metrics.results.release import periods_held
from metrics.results.scorecards import scorecard
from metrics.results.selectors import (
    cycle_breakdown,
    cycle_page,
    cycle_progress_data,
    cycle_status_label,
    cycles_list,
    missing_overview,
)
from metrics.results.tasks import cycle_close_enqueue
from people.access import HR_ROLES, AuthenticatedHttpRequest, has_role, role_required
from people.models import Role, User
from people.selectors import by_name, people_visible
from plans.formats import period_text
from plans.periods import Period
from plans.refusals import refusal_show

# --- cycles ------------------------------------------------------------------------------------


@role_required(*HR_ROLES)
@require_GET
def cycles(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "metrics/cycles_list.html", {"rows": cycles_list()})


@role_required(*HR_ROLES)
@require_GET
def cycle(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    data = cycle_page(period=period)
    watch = data.status == "closing" or (data.status == "open" and request.GET.get("watch") == "1")
    return render(
        request,
        "metrics/cycles_detail.html",
        {
            "cycle": data,
            "watch": watch,
            "close_form": CloseSelectionForm(breakdown=data.breakdown),
            "reopen_form": ReopenForm(),
            "progress": cycle_progress_data(period=period),
            "closes_from": close_opens(period=period),
            "chase": cycle_chase(period=period, missing=data.missing),
            "breaches": distribution_breaches(period=period) if data.summary else [],
        },
    )


@role_required(*HR_ROLES)
@require_GET
def cycle_progress(request: AuthenticatedHttpRequest, period: Period) -> JsonResponse:
    return JsonResponse(cycle_progress_data(period=period))


def _close(request: AuthenticatedHttpRequest, target: Period, *, force: bool, selection: Selection) -> HttpResponse:
    detail = reverse("metrics:cycle", args=[str(target)])
    try:
        # The task is enqueued when the request's transaction commits, inside this call: the
        # view is not atomic, so an unreachable broker is caught here with the cycle still open.
        request_ = cycle_close_request(
            period=target, force=force, user=request.user, enqueue=cycle_close_enqueue, selection=selection
        )
    except CloseRefused as refused:
        refusal_show(refused, request=request)
        return redirect(detail)
    except BrokerError as error:
        messages.error(
            request,
            _(
                "The task queue cannot be reached (%(error)s): %(period)s stays open and nothing was lost. Try again when it is back."
            )
            % {"error": error, "period": period_text(target)},
        )
        return redirect(detail)
    if request_.already_closed:
        messages.info(request, _("%(period)s is already closed: nothing changed.") % {"period": period_text(target)})
        return redirect(detail)
    if selection.everyone:
        messages.success(
            request, _("Closing %(period)s: the workers are scoring everybody.") % {"period": period_text(target)}
        )
    else:
        messages.success(
            request,
            _("Closing %(who)s in %(period)s: the workers are scoring them; the others stay open.")
            % {"who": selection_describe(selection), "period": period_text(target)},
        )
    return redirect(f"{detail}?watch=1")


@transaction.non_atomic_requests
@role_required(*HR_ROLES)
@require_POST
def cycle_close(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    form = CloseSelectionForm(request.POST, breakdown=cycle_breakdown(period=period))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("metrics:cycle", str(period))
    return _close(request, period, force=False, selection=form.selection())


@transaction.non_atomic_requests
@role_required(*HR_ROLES)
def cycle_force(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    """A forced close lists first what will score 0 and asks for a confirmation."""
    form = ForceCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _close(request, period, force=True, selection=Selection())
    missing = missing_overview(period=period)
    return render(
        request,
        "metrics/cycles_force.html",
        {
            "period": str(period),
            "form": form,
            "missing": missing.groups,
            "more": missing,
            "count": missing.count,
            "closes_from": close_opens(period=period),
        },
    )


@role_required(*HR_ROLES)
@require_POST
def cycle_reopen_view(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            cycle_reopen(period=period, reason=form.cleaned_data["reason"], user=request.user)
        except CloseRefused as refused:
            refusal_show(refused, request=request)
        else:
            messages.success(
                request,
                _("%(period)s is open again: its results are kept as superseded.") % {"period": period_text(period)},
            )
            return redirect("metrics:cycle", period=str(period))
    else:
        for error in form.errors.get("reason", []):
            messages.error(request, str(error))
    return redirect("metrics:cycle", period=str(period))


@transaction.non_atomic_requests  # the reminder is its own transaction (metrics.figures.reminders)
@role_required(*HR_ROLES)
@require_POST
def cycle_remind(request: AuthenticatedHttpRequest, period: Period, username: str) -> HttpResponse:
    """HR's "remind now": one email to a manager listing what their team still lacks."""
    manager = get_object_or_404(User, username=username)
    try:
        reminder_send(period=period, manager=manager, user=request.user)
    except ReminderRefused as refused:
        refusal_show(refused, request=request)
    else:
        messages.success(
            request,
            _("%(name)s was reminded: an email lists what their team still lacks of %(period)s.")
            % {"name": manager.display_name or manager.username, "period": period_text(period)},
        )
    return redirect(reverse("metrics:cycle", args=[str(period)]) + "#chase")


# --- a period's results, for payroll -------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*HR_ROLES)
@require_GET
def cycle_results(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    form = PayrollFilterForm(request.GET or None, facets=payroll_facets(period=period))
    filters = form.filters()
    totals = payroll_totals(period=period, filters=filters)
    status = cycle_status(period=period)
    still_open = people_open(period=period)
    return render(
        request,
        "metrics/cycle_results.html",
        {
            "period": str(period),
            "status": status,
            "status_label": cycle_status_label(status, closed_in_part=bool(still_open and totals.count)),
            "still_open": still_open,
            "form": form,
            "totals": totals,
            "page": payroll_page(period=period, filters=filters, number=request.GET.get("page"), totals=totals),
            "sort": filters.sort,
            "sorts": sort_links(filters.sort),
        },
    )


@role_required(*HR_ROLES)
@require_GET
def cycle_results_export(request: AuthenticatedHttpRequest, period: Period, extension: str) -> StreamingHttpResponse:
    """Every result the filters keep, as the scores export plus name and department: streamed,
    read a batch at a time. The CSV starts with a BOM, so that Excel reads it as UTF-8."""
    form = PayrollFilterForm(request.GET or None, facets=payroll_facets(period=period))
    rows = scores_rows(payroll_results(period=period, filters=form.filters()), people=True)
    if extension == "csv":
        response = StreamingHttpResponse(chain(["\ufeff"], csv_pieces(rows)), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(xlsx_pieces(rows, title=str(period)), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="scores-{period}.{extension}"'
    return response


# --- scorecards --------------------------------------------------------------------------------


@login_required
@require_GET
def scorecard_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    lookup = ScorecardLookupForm(request.GET or None)
    if lookup.is_valid():
        return redirect("metrics:scorecard", username=lookup.cleaned_data["employee"])
    return _scorecard_page(request, user, lookup)


@login_required
@require_GET
def scorecard_of(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    # Fetched through the viewer's own scope: another team's scorecard does not exist for them.
    employee = get_object_or_404(people_visible(user=request.user), username=username)
    return _scorecard_page(request, employee, ScorecardLookupForm())


def _scorecard_page(request: AuthenticatedHttpRequest, employee: User, lookup: ScorecardLookupForm) -> HttpResponse:
    viewer = request.user
    team = []
    if has_role(viewer, Role.MANAGER):
        team = list(User.objects.filter(manager=viewer).order_by(*by_name()))
    return render(
        request,
        "metrics/scorecard_page.html",
        {
            "employee": employee,
            "periods": scorecard(employee=employee, viewer=viewer),
            "own": employee.pk == viewer.pk,
            "held": periods_held(employee=employee, viewer=viewer),
            "team": team,
            "lookup": lookup if has_role(viewer, *HR_ROLES) else None,
        },
    )


# --- dashboards --------------------------------------------------------------------------------


def _dashboard_data(request: AuthenticatedHttpRequest) -> tuple[DashboardFilterForm, Dashboard]:
    form = DashboardFilterForm(request.GET or None, periods=result_periods())
    return form, dashboard(filters=form.filters())


@role_required(*HR_ROLES)
@require_GET
def dashboard_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, board = _dashboard_data(request)
    breaches = distribution_breaches(period=Period.parse(board.period)) if board.period else []
    return render(
        request,
        "metrics/dashboard_page.html",
        {"form": form, "board": board, "query": request.GET.urlencode(), "breaches": breaches},
    )


@role_required(*HR_ROLES)
@require_GET
def dashboard_export(request: AuthenticatedHttpRequest, extension: str) -> HttpResponse:
    _form, board = _dashboard_data(request)
    tables = dashboard_tables(board)
    name = f"dashboard-{board.period or 'all'}"
    if extension == "csv":
        response = HttpResponse("\ufeff" + dashboard_csv(tables), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            dashboard_xlsx(tables), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response
