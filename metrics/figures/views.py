"""Figures pages: the team grid, the template and upload, the history of a person's month.

Everyone is fetched through the user's own scope (``figures_people``): another team's
employee is not found (404), in a URL as in a post.
"""

import csv
import io
from urllib.parse import urlencode

import openpyxl
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.comments import Comment

from metrics.figures.forms import GridFilterForm, GridForm, MonthForm, PeriodsForm, UploadForm
from metrics.figures.models import ChangeSource
from metrics.figures.selectors import (
    figure_changes,
    figures_assigned,
    figures_grid,
    figures_people,
    upload_preview_find,
)
from metrics.figures.services import FiguresError, metrics_import
from metrics.figures.uploads import upload_periods, upload_preview_apply, upload_preview_save
from people.access import MANAGER_ROLES, AuthenticatedHttpRequest, has_role, role_required
from people.models import Role, User
from plans.formats import period_text
from plans.periods import Period, PeriodError
from plans.tabular import TableError

GRID_PAGE_SIZE = 100  # people a page of the grid, HR's and a manager's alike


def _filters(request: AuthenticatedHttpRequest) -> GridFilterForm | None:
    """HR's filters of the grid, from the query string; None for a manager, whose grid is their team."""
    return GridFilterForm(request.GET) if has_role(request.user, Role.HR, Role.ADMIN) else None


def _filtered(filters: GridFilterForm | None) -> dict[str, int]:
    return filters.filters() if filters is not None else {}


def _grid_url(period: Period, filters: GridFilterForm | None) -> str:
    url = reverse("metrics:figures_grid", args=[str(period)])
    query = urlencode({name.removesuffix("_id"): pk for name, pk in _filtered(filters).items()})
    return f"{url}?{query}" if query else url


def _page_number(text: str) -> int:
    """``?page=``: a number from 1; anything else is the first page (one past the last, the last)."""
    return int(text) if text.isascii() and text.isdigit() and int(text) >= 1 else 1


def _neighbour(period: Period, months: int) -> Period | None:
    """The month ``months`` away, or None beyond the range of periods."""
    try:
        return Period.parse(str(period.shift(months)))
    except PeriodError:
        return None


@role_required(*MANAGER_ROLES)
def figures_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The month picker's target; without a month, last month (whose figures are due now)."""
    form = MonthForm(request.GET)
    if form.is_valid():
        period = form.cleaned_data["period"]
    else:
        today = timezone.localdate()
        period = Period.of_month(today.year, today.month).shift(-1)
    return redirect(_grid_url(period, _filters(request)))


@role_required(*MANAGER_ROLES)
def figures_grid_page(request: AuthenticatedHttpRequest, period: Period) -> HttpResponse:
    """A page of the month's grid: a manager's reports or, for HR, everybody or a department or
    a manager's team, ``GRID_PAGE_SIZE`` people a page (``?page=``); saving posts the changed
    cells only (``GridForm``)."""
    user = request.user
    filters = _filters(request)
    form = GridForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if saved := _grid_save(request, user=user, period=period, form=form):
            return saved
        messages.error(request, _("Nothing was saved: correct the cells marked below."))
        status = 400 if form.unreadable else 200
    people = figures_assigned(people=figures_people(user=user, **_filtered(filters)), period=period)
    page = Paginator(people, GRID_PAGE_SIZE).get_page(_page_number(request.GET.get("page", "")))
    grid = figures_grid(people=page.object_list, period=period)
    rows, elsewhere = form.bound(grid)
    context = {
        "grid": grid,
        "rows": rows,
        "errors": elsewhere,
        "page": page,
        "filters": filters,
        "previous": _neighbour(period, -1),
        "next": _neighbour(period, 1),
        "overdue": timezone.now() > grid.deadline and grid.filled < grid.total,
    }
    return render(request, "metrics/figures_grid.html", context, status=status)


def _grid_save(request: AuthenticatedHttpRequest, *, user: User, period: Period, form: GridForm) -> HttpResponse | None:
    """Save the changed cells; a redirect to the same page once saved (or nothing changed),
    None when refused, the form then holding the errors.

    The cells are checked against the rows of the people they name, wherever they are in the
    pages (a person added meanwhile moves the pages' bounds), all of them in the user's scope.
    """
    if not form.is_valid():
        return None
    employees = form.employees()
    people = list(figures_people(user=user).filter(username__in=employees))
    if len(people) < len(employees):
        raise Http404  # another team's employee, or nobody's
    grid = figures_grid(people=people, period=period)
    if not grid.editable:
        messages.error(request, _("%(period)s is closed: its figures cannot change.") % {"period": period_text(period)})
        return redirect(request.get_full_path())
    if not form.check(grid):
        return None
    table, expected = form.table(grid)
    if not table.rows:
        messages.info(request, _("Nothing changed."))
        return redirect(request.get_full_path())
    try:
        outcome = metrics_import(
            table=table, user=user, source=ChangeSource.GRID, expected=expected, employees=employees
        )
    except FiguresError as error:
        form.refused(table, error.cells)
        return None
    messages.success(
        request,
        _("Saved: %(created)s new, %(changed)s changed.") % {"created": outcome.created, "changed": outcome.changed},
    )
    return redirect(request.get_full_path())


@role_required(*MANAGER_ROLES)
def figures_template(request: AuthenticatedHttpRequest, period: Period, extension: str) -> HttpResponse:
    """The month's figures file for the user's team, filled with what is stored already."""
    month = period
    if extension not in ("csv", "xlsx"):
        raise Http404
    user = request.user
    grid = figures_grid(people=figures_people(user=user, **_filtered(_filters(request))), period=month)
    columns = [c for c in grid.columns if not c.computed]
    header = ["employee", "period", *(c.name for c in columns)]
    lines = [
        [row.employee, str(month), *(cell.text for cell in row.cells if not cell.column.computed)] for row in grid.rows
    ]
    filename = f"figures-{month}.{extension}"
    if extension == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(lines)
        # A BOM so that Excel opens the UTF-8 names correctly.
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = str(month)
        sheet.append(header)
        for row, line in zip(grid.rows, lines, strict=True):
            sheet.append(line)
            sheet.cell(row=sheet.max_row, column=1).comment = Comment(row.name, "")
        sheet.freeze_panes = "C2"
        data = io.BytesIO()
        workbook.save(data)
        response = HttpResponse(
            data.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*MANAGER_ROLES)
def figures_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a figures file: a preview of what would change first, then all of it or nothing.

    Each preview has a token of its own (two tabs apply each their own file), and its Apply
    refuses the cells someone changed since the preview, as a stale grid does.
    """
    user = request.user
    employees = set(figures_people(user=user).values_list("username", flat=True))
    context: dict[str, object] = {"errors": [], "outcome": None}
    form = UploadForm()
    if request.method == "POST" and "apply" in request.POST:
        preview = upload_preview_find(user=user, token=request.POST.get("token", ""))
        if preview is None:
            messages.error(request, _("Upload the file again: its preview has expired."))
            return redirect("metrics:figures_upload")
        try:
            outcome = upload_preview_apply(preview=preview, user=user, employees=employees)
        except TableError as error:
            context["errors"] = error.messages
        else:
            messages.success(
                request,
                _("%(name)s saved: %(created)s new values, %(changed)s changed.")
                % {"name": preview.name, "created": outcome.created, "changed": outcome.changed},
            )
            return redirect(_landing(user, upload_periods(outcome.periods)))
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                name, data, table = form.table()
                outcome = metrics_import(
                    table=table, user=user, dry_run=True, employees=employees, source=ChangeSource.UPLOAD
                )
            except TableError as error:
                context["errors"] = error.messages
            else:
                preview = upload_preview_save(user=user, name=name, data=data, outcome=outcome)
                context.update(outcome=outcome, name=name, token=preview.token)
    context["form"] = form
    return render(request, "metrics/figures_upload.html", context)


def _period_url(user: User, period: Period) -> str:
    """Where a period's figures are shown: a month's grid; a quarter's ratings on the team's
    reviews of the quarter for a manager, on the quarter's cycle page for HR."""
    if period.is_month:
        return reverse("metrics:figures_grid", args=[str(period)])
    if has_role(user, Role.MANAGER):
        return f"{reverse('reviews:team')}?{urlencode({'period': str(period)})}"
    return reverse("metrics:cycle", args=[str(period)])


def _landing(user: User, periods: list[Period]) -> str:
    """Where an applied upload lands: where its one period is shown, or the list of its periods."""
    if not periods:
        return reverse("metrics:figures")
    if len(periods) == 1:
        return _period_url(user, periods[0])
    query = urlencode({"periods": ",".join(str(period) for period in periods)})
    return f"{reverse('metrics:figures_upload_applied')}?{query}"


@role_required(*MANAGER_ROLES)
def figures_upload_applied(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The periods an applied upload touched, each a link to where its figures are shown."""
    form = PeriodsForm(request.GET)
    periods: list[Period] = form.cleaned_data["periods"] if form.is_valid() else []
    links = [(period, _period_url(request.user, period)) for period in periods]
    context = {"links": links, "manager": has_role(request.user, Role.MANAGER)}
    return render(request, "metrics/figures_upload_applied.html", context)


@role_required(*MANAGER_ROLES)
def figures_history(request: AuthenticatedHttpRequest, period: Period, employee: str) -> HttpResponse:
    month = period
    person = get_object_or_404(figures_people(user=request.user), username=employee)
    return render(
        request,
        "metrics/figures_history.html",
        {"person": person, "period": month, "changes": figure_changes(employee=person, period=month)},
    )
