"""The builder's "try this draft" page (SPEC.md section 9): HR picks a past month or quarter and
sees the draft's results beside the published version's, and downloads them. Nothing is saved.

A large company's simulation runs as a Celery task (``simulation_runs``): the page shows its
progress, then the result the task left in the cache."""

from itertools import chain

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from metrics.results import tasks
from metrics.results.closing import company_today
from metrics.results.exports import csv_pieces, simulated_rows, xlsx_pieces
from metrics.results.forms import SimulationForm
from metrics.results.simulation import Simulation, plan_simulate, simulation_compare, simulation_periods
from metrics.results.simulation_runs import (
    SIMULATION_TASK_PEOPLE,
    RunStatus,
    simulation_people,
    simulation_result,
    simulation_start,
    simulation_state,
)
from metrics.results.views import XLSX_TYPE
from people.access import HR_ROLES, AuthenticatedHttpRequest, role_required
from plans.formats import period_text
from plans.models import PlanVersion, VersionStatus
from plans.periods import Period
from plans.selectors import draft_check, plan_current_version

hr_only = role_required(*HR_ROLES)


def _draft(code: str) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.select_related("template"), template__code=code, status=VersionStatus.DRAFT
    )


def _form(request: AuthenticatedHttpRequest, code: str, departments: list[str]) -> SimulationForm:
    choices = [
        (str(p.period), period_text(p.period) + (_(" (closed)") if p.closed else ""))
        for p in simulation_periods(code=code, today=company_today())
    ]
    return SimulationForm(request.GET or None, periods=choices, departments=departments)


@hr_only
@require_GET
def plan_try(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    draft = _draft(code)
    definition, problems = draft_check(draft=draft)
    context: dict[str, object] = {
        "template": draft.template,
        "current": plan_current_version(template=draft.template),
        "problems": problems,
    }
    form = _form(request, code, [])
    context["form"] = form
    if definition is None or not form.is_valid():
        return render(request, "metrics/plan_try.html", context)
    period = Period.parse(form.cleaned_data["period"])
    key = request.GET.get("run", "")
    simulation: Simulation | None
    if key:
        run = simulation_state(key=key, code=code)
        if run is None or run.period != str(period):  # expired, or another period chosen: try again
            return redirect(_try_url(code, request, run=None))
        simulation = simulation_result(key=key, code=code)
        if simulation is None:
            context["run"] = run
            context["progress_url"] = reverse("metrics:plan_try_progress", args=[code, key])
            context["failed"] = run.status == RunStatus.FAILED
            return render(request, "metrics/plan_try.html", context)
    elif simulation_people(code=code) > SIMULATION_TASK_PEOPLE:
        key = simulation_start(draft=draft, period=period, enqueue=tasks.plan_simulate_enqueue)
        return redirect(_try_url(code, request, run=key))
    else:
        simulation = plan_simulate(definition=definition, period=period)
    departments = sorted({item.person.department for item in simulation.results})
    form = _form(request, code, departments)
    form.is_valid()
    context["form"] = form
    context["run_key"] = key
    context["comparison"] = simulation_compare(
        simulation=simulation,
        bands=[band.label for band in definition.bands],
        department=form.cleaned_data.get("department", ""),
        moved_only=form.cleaned_data.get("moved", False),
    )
    return render(request, "metrics/plan_try.html", context)


def _try_url(code: str, request: AuthenticatedHttpRequest, *, run: str | None) -> str:
    query = {name: value for name, value in request.GET.dict().items() if name != "run"}
    if run:
        query["run"] = run
    return reverse("metrics:plan_try", args=[code]) + "?" + urlencode(query)


@hr_only
@require_GET
def plan_try_progress(request: AuthenticatedHttpRequest, code: str, key: str) -> JsonResponse:
    run = simulation_state(key=key, code=code)
    if run is None:
        raise Http404(key)
    return JsonResponse(
        {
            "status": run.status,
            "done": run.done,
            "total": run.total,
            "percent": run.percent,
            "finished": run.status != RunStatus.RUNNING,
        }
    )


@hr_only
@require_GET
def plan_try_export(request: AuthenticatedHttpRequest, code: str, extension: str) -> StreamingHttpResponse:
    """Everybody's simulated result, with who they are and the published version's result."""
    draft = _draft(code)
    definition, _problems = draft_check(draft=draft)
    form = _form(request, code, [])
    if definition is None or not form.is_valid():
        raise Http404(_("This draft cannot be tried on that period."))
    period = Period.parse(form.cleaned_data["period"])
    key = request.GET.get("run", "")
    simulation = simulation_result(key=key, code=code) if key else plan_simulate(definition=definition, period=period)
    if simulation is None or simulation.period != period:
        raise Http404(_("This simulation is no longer kept: try the draft again."))
    rows = simulated_rows(simulation, people=True)
    if extension == "csv":
        response = StreamingHttpResponse(chain(["\ufeff"], csv_pieces(rows)), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(xlsx_pieces(rows, title=str(period)), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{code}-draft-{period}.{extension}"'
    return response
