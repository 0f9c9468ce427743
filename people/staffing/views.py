import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from metrics.cycles.selectors import month_first_open
from people.access import HR_ROLES, AuthenticatedHttpRequest, role_required
from people.logins.forms import InviteForm
from people.logins.services import invitations_send
from people.logins.views import invitation_messages
from people.models import User
from people.selectors import department_employees, people_visible
from people.staffing.assignment_preview import (
    AssignmentPreview,
    AssignmentStale,
    assignment_confirm,
    assignment_preview,
)
from people.staffing.assignments import AssignmentOutcome, AssignmentRefused, assignment_set
from people.staffing.forms import AssignForm, DepartmentAssignForm, PeopleFilterForm, RosterUploadForm
from people.staffing.roster import ROSTER_COLUMNS, ROSTER_OPTIONAL, roster_import
from people.staffing.selectors import people_filtered, person_assignments, person_rows
from plans.models import PlanVersion
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
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "invite_form": InviteForm(),
        "invitation_days": settings.INVITATION_DAYS,
    }
    return render(request, "people/list.html", context)


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
                if form.cleaned_data["invite"] and outcome.created:
                    invited = invitations_send(
                        people=User.objects.filter(username__in=outcome.created).order_by("username"),
                        by=request.user,
                        request=request,
                    )
                    invitation_messages(request, invited)
                return redirect("people:list")
    else:
        form = RosterUploadForm()
    context = {"form": form, "errors": errors, "columns": ROSTER_COLUMNS, "optional": ROSTER_OPTIONAL}
    return render(request, "people/roster.html", context)


@role_required(*HR_ROLES)
def roster_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    # With a byte order mark, Excel opens the file as UTF-8 and shows Chinese names correctly.
    response = HttpResponse("\ufeff" + ",".join(ROSTER_COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster.csv"'
    return response


def _version(form: AssignForm) -> PlanVersion:
    """The current published version of the plan chosen; refused when it has none any more."""
    version = plan_current_version(template=form.cleaned_data["plan"])
    if version is None:  # the plan lost its published version between the page and the click
        raise AssignmentRefused([_("Only a published plan can be assigned.")])
    return version


def _assign(form: AssignForm, *, employees: Iterable[User]) -> AssignmentOutcome | None:
    """The service called with a valid form's values; a refusal becomes the form's errors."""
    try:
        return assignment_set(
            employees=employees,
            version=_version(form),
            start=form.cleaned_data["start"],
            monthly_bonus=form.cleaned_data["monthly_bonus"],
            quarterly_bonus=form.cleaned_data["quarterly_bonus"],
            annual_bonus=form.cleaned_data["annual_bonus"],
        )
    except AssignmentRefused as refused:
        refusal_show(refused, form=form)
        return None


def _assigned_message(request: AuthenticatedHttpRequest, outcome: AssignmentOutcome, *, notes: bool = True) -> None:
    """The counts, and (``notes``) each change that applies from a later month than asked."""
    messages.success(
        request,
        _("Plan assigned. New assignments: %(created)s, changed: %(updated)s, unchanged: %(unchanged)s.")
        % {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged},
    )
    for note in outcome.notes if notes else []:
        messages.info(request, note)


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
                "annual_bonus": latest.annual_bonus if latest else 0,
            }
        )
    return render(request, "people/assign.html", {"form": form, "person": person, "assignments": assignments})


# A department's assignment is previewed, then confirmed: the session keeps each preview's
# digest and form under a token of its own (two tabs confirm each their own), the latest few.
PREVIEWS_SESSION_KEY = "assignment_previews"
PREVIEWS_KEPT = 5


def _preview_keep(request: AuthenticatedHttpRequest, *, preview: AssignmentPreview, form: DepartmentAssignForm) -> str:
    token = secrets.token_urlsafe(16)
    data = {name: form.data[name] for name in form.fields if name in form.data}
    kept = dict(request.session.get(PREVIEWS_SESSION_KEY, {}))
    kept[token] = {"digest": preview.digest, "data": data}
    request.session[PREVIEWS_SESSION_KEY] = dict(list(kept.items())[-PREVIEWS_KEPT:])
    return token


def _preview_take(request: AuthenticatedHttpRequest, token: str) -> dict[str, Any] | None:
    """The preview kept under ``token``, used up; None when it is gone (confirmed or dropped)."""
    kept = dict(request.session.get(PREVIEWS_SESSION_KEY, {}))
    stored: dict[str, Any] | None = kept.pop(token, None)
    request.session[PREVIEWS_SESSION_KEY] = kept
    return stored


def _department_page(
    request: AuthenticatedHttpRequest, form: DepartmentAssignForm, preview: AssignmentPreview | None = None
) -> HttpResponse:
    context: dict[str, object] = {"form": form, "person": None, "assignments": [], "preview": preview}
    if preview is not None:
        context["token"] = _preview_keep(request, preview=preview, form=form)
    return render(request, "people/assign.html", context)


def _department_values(form: DepartmentAssignForm) -> dict[str, Any]:
    """The service's arguments from a valid form."""
    return {
        "employees": department_employees(department=form.cleaned_data["department"]),
        "version": _version(form),
        "start": form.cleaned_data["start"],
        "monthly_bonus": form.cleaned_data["monthly_bonus"],
        "quarterly_bonus": form.cleaned_data["quarterly_bonus"],
        "annual_bonus": form.cleaned_data["annual_bonus"],
        "overwrite_amounts": form.cleaned_data["overwrite_amounts"],
    }


@role_required(*HR_ROLES)
def department_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Assign a department a plan: a preview of who gets what first, then HR confirms it."""
    if request.method == "POST" and "confirm" in request.POST:
        return _department_confirm(request)
    if request.method != "POST":
        form = DepartmentAssignForm(initial={"start": month_first_open(), "department": request.GET.get("department")})
        return _department_page(request, form)
    form = DepartmentAssignForm(request.POST)
    if not form.is_valid():
        return _department_page(request, form)
    try:
        preview = assignment_preview(**_department_values(form))
    except AssignmentRefused as refused:
        refusal_show(refused, form=form)
        return _department_page(request, form)
    return _department_page(request, form, preview)


def _department_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save what the preview showed; a fresh preview when the assignments changed since."""
    stored = _preview_take(request, request.POST.get("token", ""))
    if stored is None:
        messages.error(request, _("Preview the assignment again: its preview has expired."))
        return redirect("people:department_assign")
    form = DepartmentAssignForm(stored["data"])
    if not form.is_valid():  # the department or the plan went meanwhile
        return _department_page(request, form)
    try:
        outcome = assignment_confirm(**_department_values(form), digest=stored["digest"])
    except AssignmentStale as stale:
        refusal_show(stale, request=request)
        return _department_page(request, form, stale.preview)
    except AssignmentRefused as refused:
        refusal_show(refused, form=form)
        return _department_page(request, form)
    _assigned_message(request, outcome, notes=False)  # the preview showed who starts later than asked
    return redirect(f"{reverse('people:list')}?department={form.cleaned_data['department'].pk}")
