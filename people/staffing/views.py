from collections.abc import Iterable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from metrics.cycles.selectors import month_first_open
from people.access import HR_ROLES, AuthenticatedHttpRequest, role_required
from people.models import User
from people.selectors import department_employees, people_visible
from people.staffing.assignments import AssignmentOutcome, AssignmentRefused, assignment_set
from people.staffing.forms import AssignForm, DepartmentAssignForm, PeopleFilterForm, RosterUploadForm
from people.staffing.roster import ROSTER_COLUMNS, roster_import
from people.staffing.selectors import people_filtered, person_assignments, person_rows
from plans.refusals import refusal_show
from plans.selectors import plan_current_version
from plans.tabular import TableError, table_read_upload

PEOPLE_PER_PAGE = 25


@role_required(*HR_ROLES)
def people_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        people = User.objects.none()  # the form says which filter to fix
    else:
        filters = form.cleaned_data if form.is_bound else {}
        people = people_filtered(
            user=request.user,
            department=filters.get("department"),
            manager=filters.get("manager"),
            plan=filters.get("plan", ""),
        )
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    rows = person_rows(people=list(page.object_list))
    return render(request, "people/list.html", {"form": form, "page": page, "rows": rows})


@role_required(*HR_ROLES)
def roster_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = roster_import(table=table_read_upload(name=upload.name, data=upload.read()))
            except TableError as error:
                errors = error.messages
            else:
                messages.success(
                    request,
                    _(
                        "Roster imported. People: %(created)s new, %(updated)s updated. "
                        "Assignments: %(a_created)s new, %(a_updated)s updated."
                    )
                    % outcome.counts(),
                )
                for note in outcome.notes:
                    messages.info(request, note)
                return redirect("people:list")
    else:
        form = RosterUploadForm()
    return render(request, "people/roster.html", {"form": form, "errors": errors, "columns": ROSTER_COLUMNS})


@role_required(*HR_ROLES)
def roster_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    # With a byte order mark, Excel opens the file as UTF-8 and shows Chinese names correctly.
    response = HttpResponse("\ufeff" + ",".join(ROSTER_COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster.csv"'
    return response


def _assign(form: AssignForm, *, employees: Iterable[User]) -> AssignmentOutcome | None:
    """The service called with a valid form's values; a refusal becomes the form's errors."""
    version = plan_current_version(template=form.cleaned_data["plan"])
    try:
        if version is None:  # the plan lost its published version between the page and the click
            raise AssignmentRefused([_("Only a published plan can be assigned.")])
        return assignment_set(
            employees=employees,
            version=version,
            start=form.cleaned_data["start"],
            monthly_bonus=form.cleaned_data["monthly_bonus"],
            quarterly_bonus=form.cleaned_data["quarterly_bonus"],
            # A department's people keep amounts of their own unless HR says to replace them.
            keep_own_amounts="replace_amounts" in form.fields and not form.cleaned_data["replace_amounts"],
        )
    except AssignmentRefused as refused:
        refusal_show(refused, form=form)
        return None


def _assigned_message(request: AuthenticatedHttpRequest, outcome: AssignmentOutcome) -> None:
    messages.success(
        request,
        _("Plan assigned. New assignments: %(created)s, changed: %(updated)s, unchanged: %(unchanged)s.")
        % {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged},
    )
    for note in outcome.notes:
        messages.info(request, note)
    if outcome.kept:
        messages.info(
            request,
            _("Kept their own bonus amounts (tick “Replace amounts” to change them): %(people)s.")
            % {"people": ", ".join(outcome.kept)},
        )


@role_required(*HR_ROLES)
def person_assign(request: AuthenticatedHttpRequest, username: str) -> HttpResponse:
    person = get_object_or_404(people_visible(user=request.user), username=username)
    assignments = person_assignments(person=person)
    if request.method == "POST":
        form = AssignForm(request.POST)
        if form.is_valid() and (outcome := _assign(form, employees=[person])):
            _assigned_message(request, outcome)
            return redirect("people:list")
    else:
        latest = assignments[-1] if assignments else None
        form = AssignForm(
            initial={
                "plan": latest.version.template if latest else None,
                "start": month_first_open(),
                "monthly_bonus": latest.monthly_bonus if latest else 0,
                "quarterly_bonus": latest.quarterly_bonus if latest else 0,
            }
        )
    return render(request, "people/assign.html", {"form": form, "person": person, "assignments": assignments})


@role_required(*HR_ROLES)
def department_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DepartmentAssignForm(request.POST)
        department = form.cleaned_data["department"] if form.is_valid() else None
        if department and (outcome := _assign(form, employees=department_employees(department=department))):
            _assigned_message(request, outcome)
            return redirect(f"{reverse('people:list')}?department={department.pk}")
    else:
        form = DepartmentAssignForm(initial={"start": month_first_open(), "department": request.GET.get("department")})
    return render(request, "people/assign.html", {"form": form, "person": None, "assignments": []})
