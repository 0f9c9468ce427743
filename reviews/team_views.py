"""The team's grid of a quarter: a manager rates all their reports' reviews on one page, then
submits the rated ones together. Thin: the reads are ``team_grid``'s, the writes ``team_grid_apply``'s."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from people.access import AuthenticatedHttpRequest, role_required
from people.models import Role
from plans.periods import Period, PeriodError
from reviews.forms import TeamGridForm
from reviews.team_grid import team_grid, team_grid_reviews
from reviews.team_rating import GridOutcome, GridRefused, team_grid_apply

GRID_PAGE_SIZE = 100  # reviews a page: a team of 30 or 40 is one page


def figures_quarter(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    """``/figures/2026-Q1/``: a quarter's figures are the ratings of its reviews, rated on the team's grid."""
    return redirect("reviews:team_grid", period=period)


def _neighbour(quarter: Period, months: int) -> Period | None:
    """The quarter ``months`` away, or None beyond the range of periods."""
    try:
        return Period.parse(str(quarter.first_month().shift(months).quarter_of()))
    except PeriodError:
        return None


def _report(request: AuthenticatedHttpRequest, outcome: GridOutcome) -> None:
    saved, submitted = outcome.saved, outcome.submitted
    if saved.changed:
        messages.success(
            request,
            _("Saved: %(cells)s changes for %(people)s people.") % {"cells": saved.changed, "people": saved.reviews},
        )
    elif submitted is None:
        messages.info(request, _("Nothing changed."))
    if submitted is not None and submitted.submitted:
        messages.success(
            request, _("Submitted to HR for approval: %(names)s.") % {"names": ", ".join(submitted.submitted)}
        )
    if submitted is not None and submitted.waiting:
        messages.warning(
            request,
            _("Not submitted, still waiting for: %(waiting)s.") % {"waiting": "; ".join(submitted.waiting)},
        )


def _save(request: AuthenticatedHttpRequest, period: Period, form: TeamGridForm) -> HttpResponse | GridRefused:
    """Save (and submit); a redirect to the same page once done, or the refusal to show."""
    if not form.is_valid():
        return GridRefused([form.error])
    employees = form.employees()
    if team_grid_reviews(manager=request.user, period=period).filter(employee__username__in=employees).count() < len(
        employees
    ):
        raise Http404  # another team's employee, or nobody's
    try:
        outcome = team_grid_apply(
            manager=request.user,
            period=period,
            changes=form.changes,
            submit=request.POST.get("action") == "submit",
            user=request.user,
        )
    except GridRefused as refused:
        return refused
    _report(request, outcome)
    return redirect(request.get_full_path())


@role_required(Role.MANAGER)
def team_grid_page(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    """The quarter's grid of the manager's reports' reviews, ``GRID_PAGE_SIZE`` a page; a month
    leads to its quarter, a year is no page."""
    if period.is_year:
        raise Http404
    if not period.is_quarter:
        return redirect("reviews:team_grid", period=period.quarter_of())
    form = TeamGridForm(request.POST if request.method == "POST" else None)
    refused = None
    if request.method == "POST":
        result = _save(request, period, form)
        if isinstance(result, HttpResponse):
            return result
        refused = result
    page = Paginator(team_grid_reviews(manager=request.user, period=period), GRID_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    grid = team_grid(period=period, reviews=list(page.object_list))
    context = {
        "grid": grid,
        "rows": form.bound(grid, refused),
        "refused": refused,
        "page": page,
        "previous": _neighbour(period, -3),
        "next": _neighbour(period, 3),
    }
    return render(request, "reviews/team_grid.html", context, status=400 if refused else 200)
