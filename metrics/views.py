"""Figures pages: the team grid, the template and upload, the history of a person's month.

Everyone is fetched through the user's own scope (``figures_people``): another team's
employee is not found (404), in a URL as in a post.
"""

import csv
import io
from typing import cast

import openpyxl
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.comments import Comment

from metrics.forms import GridForm, MonthForm, UploadForm
from metrics.models import ChangeSource
from metrics.selectors import (
    FiguresGrid,
    figure_changes,
    figures_grid,
    figures_managers,
    figures_people,
    upload_preview_find,
)
from metrics.services import FiguresError, metrics_import, upload_preview_apply, upload_preview_save
from people.access import MANAGER_ROLES, has_role, role_required
from people.models import Role, User
from plans.periods import Period
from plans.tabular import TableError


def _manager_id(request: HttpRequest) -> int | None:
    """HR narrows the grid to one manager's team with ``?manager=<id>``."""
    text = request.GET.get("manager", "")
    if not text.isdigit() or not has_role(request.user, Role.HR, Role.ADMIN):
        return None
    return int(text)


def _grid_url(period: Period, manager_id: int | None) -> str:
    url = reverse("metrics:figures_grid", args=[str(period)])
    return f"{url}?manager={manager_id}" if manager_id else url


@role_required(*MANAGER_ROLES)
def figures_home(request: HttpRequest) -> HttpResponse:
    """The month picker's target; without a month, last month (whose figures are due now)."""
    form = MonthForm(request.GET)
    if form.is_valid():
        period = form.cleaned_data["period"]
    else:
        today = timezone.localdate()
        period = Period.of_month(today.year, today.month).shift(-1)
    return redirect(_grid_url(period, _manager_id(request)))


@role_required(*MANAGER_ROLES)
def figures_grid_page(request: HttpRequest, period: Period) -> HttpResponse:
    user = cast(User, request.user)
    month = period
    manager_id = _manager_id(request)
    grid = figures_grid(people=figures_people(user=user, manager_id=manager_id), period=month)
    if request.method == "POST":
        form = GridForm(request.POST, grid=grid)
        if form.foreign():
            raise Http404
        if not grid.editable:
            messages.error(request, _("%(period)s is closed: its figures cannot change.") % {"period": month})
            return redirect(_grid_url(month, manager_id))
        if form.is_valid():
            table, expected = form.changes()
            if not table.rows:
                messages.info(request, _("Nothing changed."))
                return redirect(_grid_url(month, manager_id))
            try:
                outcome = metrics_import(
                    table=table,
                    user=user,
                    source=ChangeSource.GRID,
                    expected=expected,
                    employees={row.employee for row in grid.rows},
                )
            except FiguresError as error:
                form.refused(table, error.cells)
            else:
                messages.success(
                    request,
                    _("Saved: %(created)s new, %(changed)s changed.")
                    % {"created": outcome.created, "changed": outcome.changed},
                )
                return redirect(_grid_url(month, manager_id))
        messages.error(request, _("Nothing was saved: correct the cells marked below."))
    else:
        form = GridForm(grid=grid)
    return render(request, "metrics/figures_grid.html", _grid_context(request, grid, form, manager_id))


def _grid_context(request: HttpRequest, grid: FiguresGrid, form: GridForm, manager_id: int | None) -> dict[str, object]:
    is_hr = has_role(request.user, Role.HR, Role.ADMIN)
    return {
        "grid": grid,
        "form": form,
        "rows": form.rows(),
        "previous": grid.period.shift(-1),
        "next": grid.period.shift(1),
        "managers": figures_managers() if is_hr else [],
        "manager_id": manager_id,
        "overdue": timezone.now() > grid.deadline and grid.filled < grid.total,
    }


@role_required(*MANAGER_ROLES)
def figures_template(request: HttpRequest, period: Period, extension: str) -> HttpResponse:
    """The month's figures file for the user's team, filled with what is stored already."""
    month = period
    if extension not in ("csv", "xlsx"):
        raise Http404
    user = cast(User, request.user)
    grid = figures_grid(people=figures_people(user=user, manager_id=_manager_id(request)), period=month)
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
def figures_upload(request: HttpRequest) -> HttpResponse:
    """Upload a figures file: a preview of what would change first, then all of it or nothing.

    Each preview has a token of its own (two tabs apply each their own file), and its Apply
    refuses the cells someone changed since the preview, as a stale grid does.
    """
    user = cast(User, request.user)
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
            context["errors"] = error.errors
        else:
            messages.success(
                request,
                _("%(name)s saved: %(created)s new values, %(changed)s changed.")
                % {"name": preview.name, "created": outcome.created, "changed": outcome.changed},
            )
            months = sorted(period for period in outcome.periods if "Q" not in period)
            if not months:
                return redirect("metrics:figures")
            return redirect("metrics:figures_grid", period=months[-1])  # the month the file was about
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                name, data, table = form.table()
                outcome = metrics_import(
                    table=table, user=user, dry_run=True, employees=employees, source=ChangeSource.UPLOAD
                )
            except TableError as error:
                context["errors"] = error.errors
            else:
                preview = upload_preview_save(user=user, name=name, data=data, outcome=outcome)
                context.update(outcome=outcome, name=name, token=preview.token)
    context["form"] = form
    return render(request, "metrics/figures_upload.html", context)


@role_required(*MANAGER_ROLES)
def figures_history(request: HttpRequest, period: Period, employee: str) -> HttpResponse:
    month = period
    person = get_object_or_404(figures_people(user=cast(User, request.user)), username=employee)
    return render(
        request,
        "metrics/figures_history.html",
        {"person": person, "period": month, "changes": figure_changes(employee=person, period=month)},
    )
