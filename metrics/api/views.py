"""The API's endpoints: thin, each one service or selector the commands and pages use too.

Figures in (the metrics import), people in (the roster import), people, results, scorecards
and cycles out, and a close (SPEC.md section 8). Who may reach whom is ``ApiClient.people``.
"""

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from kombu.exceptions import OperationalError as BrokerError
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.api.auth import ApiClient, HasScope, api_client
from metrics.api.models import Scope
from metrics.api.problems import PROBLEM, RowsRefused, ServiceUnavailable
from metrics.api.rows import idempotent, row_errors, rows_table
from metrics.api.serializers import (
    PERIOD_PATTERN,
    CloseIn,
    CloseOut,
    CycleOut,
    FiguresIn,
    FiguresOut,
    PersonOut,
    ProblemOut,
    ResultOut,
    RosterIn,
    RosterOut,
    ScorecardOut,
)
from metrics.cycles.models import CycleStatus
from metrics.figures.models import ChangeSource
from metrics.figures.selectors import close_scope
from metrics.figures.services import FiguresError, metrics_import
from metrics.results.closing import cycle_close_request
from metrics.results.parts import CloseRefused, Selection
from metrics.results.payroll import PayrollFilters, payroll_results
from metrics.results.scorecards import scorecard
from metrics.results.selectors import CycleListRow, cycle_status_label, cycles_list
from metrics.results.tasks import cycle_close_enqueue
from people.models import Department, User
from people.staffing.roster import ROSTER_COLUMNS, roster_import
from plans.models import PlanVersion
from plans.periods import Period
from plans.tabular import NUL, Table, TableError


def _problems(*codes: int) -> dict[tuple[int, str], type[ProblemOut]]:
    return {(code, PROBLEM): ProblemOut for code in codes}


READ_PROBLEMS = _problems(400, 401, 403, 404, 406, 429)
WRITE_PROBLEMS = _problems(400, 401, 403, 404, 406, 409, 413, 415, 422, 429)
PERIOD = OpenApiParameter(
    "period",
    str,
    OpenApiParameter.PATH,
    pattern=PERIOD_PATTERN,
    description="A month (2026-01) or a quarter (2026-Q1).",
)
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Any unique text of up to 255 characters: the same request sent again with it changes nothing twice.",
)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _f(value: Decimal) -> str:
    return format(value, "f")


class Pages(CursorPagination):
    """Cursor pages: ``next`` until there is none. ``page_size`` up to 1,000 (100 unless asked)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"

    def get_page_size(self, request: Request) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return int(self.page_size)
        if not text.isdigit() or not 1 <= int(text) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [_("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return int(text)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class ResultPages(Pages):
    ordering = "employee_id"  # one current result a person and period: the (period, employee) index's order


class FiguresView(APIView):
    permission_classes = [HasScope]
    scopes = {"POST": Scope.FIGURES_WRITE}

    @extend_schema(
        operation_id="figures_send",
        summary="Send figures (the metrics file's rows)",
        description="All or nothing: every problem is listed with its row and field, and nothing is saved. "
        "Up to 10,000 rows a request. Audited with the source `api:<token name>`.",
        request=FiguresIn,
        responses={200: FiguresOut, **WRITE_PROBLEMS},
        parameters=[IDEMPOTENCY],
        tags=["figures"],
    )
    def post(self, request: Request) -> Response:
        client = api_client(request)
        data = _valid(FiguresIn, request)

        def answer() -> Response:
            table = rows_table(data["rows"], columns=["employee", "period"], texts={"employee", "period"})
            employees = set(client.people().values_list("username", flat=True)) if client.limited else None
            try:
                outcome = metrics_import(
                    table=table,
                    dry_run=data["dry_run"],
                    source=ChangeSource.API,
                    client=client.name,
                    employees=employees,
                )
            except FiguresError as error:
                raise RowsRefused(
                    row_errors([(cell.row, cell.column, cell.message) for cell in error.cells])
                ) from error
            return Response(
                {
                    "created": outcome.created,
                    "changed": outcome.changed,
                    "unchanged": outcome.unchanged,
                    "dry_run": data["dry_run"],
                    "changes": outcome.changes if data["dry_run"] else [],
                }
            )

        return idempotent(request, client, answer)


class PeopleView(GenericAPIView):
    permission_classes = [HasScope]
    scopes = {"GET": Scope.PEOPLE_READ, "POST": Scope.PEOPLE_WRITE}
    pagination_class = Pages

    @extend_schema(
        operation_id="people_list",
        summary="The people this client reaches",
        responses={200: PersonOut(many=True), **READ_PROBLEMS},
        tags=["people"],
    )
    def get(self, request: Request) -> Response:
        people: QuerySet[User] = api_client(request).people().select_related("department", "manager")
        page = self.paginate_queryset(people)
        return self.get_paginated_response([_person(person) for person in page])

    @extend_schema(
        operation_id="people_send",
        summary="Send roster rows",
        description="The rules of the roster import: every row checked first, any problem refuses them all.",
        request=RosterIn,
        responses={200: RosterOut, **WRITE_PROBLEMS},
        parameters=[IDEMPOTENCY],
        tags=["people"],
    )
    def post(self, request: Request) -> Response:
        client = api_client(request)
        data = _valid(RosterIn, request)

        def answer() -> Response:
            table = rows_table(data["rows"], columns=ROSTER_COLUMNS, texts=ROSTER_TEXTS)
            outside = _roster_outside(client, table)
            if outside:
                raise RowsRefused(row_errors(outside))
            try:
                outcome = roster_import(table=table)
            except TableError as error:
                raise RowsRefused(
                    [{"row": None, "index": None, "field": "", "message": message} for message in error.messages]
                ) from error
            return Response(
                {
                    "people_created": outcome.people_created,
                    "people_updated": outcome.people_updated,
                    "assignments_created": outcome.assignments_created,
                    "assignments_updated": outcome.assignments_updated,
                    "created": outcome.created,
                    "notes": outcome.notes,
                }
            )

        return idempotent(request, client, answer)


ROSTER_TEXTS = {"employee", "name", "department", "manager", "plan", "start", "email"}


def _roster_outside(client: ApiClient, table: Table) -> list[tuple[int, str, str]]:
    """The rows a token limited to departments or plans may not write: (row, field, why)."""
    departments, plans = client.department_names(), client.plan_codes()
    if not (departments or plans):
        return []
    current = dict(
        User.objects.filter(username__in=[row.cells["employee"] for row in table.rows]).values_list(
            "username", "department__name"
        )
    )
    outside = []
    for row in table.rows:
        employee = row.cells["employee"]
        department = row.cells["department"] or current.get(employee) or ""
        if departments and employee in current and current[employee] not in departments:
            outside.append(
                (row.number, "employee", _("“%(value)s” is outside this token's departments") % {"value": employee})
            )
        elif departments and department not in departments:
            outside.append(
                (row.number, "department", _("“%(value)s” is outside this token's departments") % {"value": department})
            )
        if plans and row.cells["plan"] and row.cells["plan"] not in plans:
            outside.append(
                (row.number, "plan", _("“%(value)s” is outside this token's plans") % {"value": row.cells["plan"]})
            )
    return outside


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user else ""


def _person(person: User) -> dict[str, Any]:
    return {
        "employee": person.username,
        "name": _name(person),
        "email": person.email,
        "role": person.role,
        "department": person.department.name if person.department else "",
        "manager": person.manager.username if person.manager else "",
        "active": person.is_active,
    }


class ResultsView(GenericAPIView):
    permission_classes = [HasScope]
    scopes = {"GET": Scope.RESULTS_READ}
    pagination_class = ResultPages

    @extend_schema(
        operation_id="results_list",
        summary="A period's current results",
        description="Everybody this client reaches who is closed in the period, a page at a time by cursor.",
        parameters=[
            PERIOD,
            OpenApiParameter("department", str, description="A department's name."),
            OpenApiParameter("plan", str, description="A plan's code."),
            OpenApiParameter("band", str, description="A band's label; `-` for no band reached."),
            OpenApiParameter("flag", str, description="A flag's code, e.g. `incomplete`."),
        ],
        responses={200: ResultOut(many=True), **READ_PROBLEMS},
        tags=["results"],
    )
    def get(self, request: Request, period: Period) -> Response:
        client = api_client(request)
        params = request.query_params
        held = {
            name: [_("A text may not contain the character NUL (\\0).")]
            for name in FILTERS
            if NUL in params.get(name, "")
        }
        if held:
            raise exceptions.ValidationError(held)
        department_id = None
        if params.get("department"):
            department = Department.objects.filter(name=params["department"]).first()
            department_id = department.pk if department else -1
        filters = PayrollFilters(department_id=department_id, band=params.get("band", ""), flag=params.get("flag", ""))
        results = payroll_results(period=period, filters=filters)
        if params.get("plan"):
            results = results.filter(version__template__code=params["plan"])
        if client.limited:
            results = results.filter(employee__in=client.people())
        page = self.paginate_queryset(results.values(*RESULT_FIELDS))
        return self.get_paginated_response(result_rows(page))


FILTERS = ("department", "plan", "band", "flag")


# A page is read as plain values from the results table alone, in its (period, employee) index's
# order, then the page's people and plans in one query each: joining them to every result made
# PostgreSQL join and sort all the period's results left after the cursor for each page
# (bench_api: 331 ms a page at 100,000 results; README "Performance").
RESULT_FIELDS = ("employee_id", "period", "version_id", "score", "band", "payout", "bonus", "flags")


def result_rows(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page of ``RESULT_FIELDS`` values as the API shows each result (``ResultOut``)."""
    people = {
        pk: (username, display_name or username, department or "", manager or "")
        for pk, username, display_name, department, manager in User.objects.filter(
            pk__in={row["employee_id"] for row in page}
        ).values_list("pk", "username", "display_name", "department__name", "manager__username")
    }
    versions = {
        pk: (number, code)
        for pk, number, code in PlanVersion.objects.filter(pk__in={row["version_id"] for row in page}).values_list(
            "pk", "number", "template__code"
        )
    }
    rows = []
    for row in page:
        employee, name, department, manager = people[row["employee_id"]]
        number, plan = versions[row["version_id"]]
        rows.append(
            {
                "employee": employee,
                "name": name,
                "department": department,
                "manager": manager,
                "period": str(row["period"]),
                "plan": plan,
                "version": number,
                "score": _f(row["score"]),
                "band": row["band"],
                "payout": _f(row["payout"]),
                "bonus": _f(row["bonus"]),
                "flags": sorted(row["flags"]),
            }
        )
    return rows


class ScorecardView(APIView):
    permission_classes = [HasScope]
    scopes = {"GET": Scope.RESULTS_READ}

    @extend_schema(
        operation_id="scorecard_read",
        summary="A person's scorecard",
        description="Each closed period, newest first, and per indicator the actual value, target, points and why.",
        parameters=[OpenApiParameter("employee", str, OpenApiParameter.PATH, description="A user name.")],
        responses={200: ScorecardOut, **READ_PROBLEMS},
        tags=["results"],
    )
    def get(self, request: Request, employee: str) -> Response:
        client = api_client(request)
        person = client.people().filter(username=employee).first()
        if person is None:
            raise Http404(_("Nobody this client reaches has the user name “%(value)s”.") % {"value": employee})
        periods = scorecard(employee=person, viewer=client.user)
        return Response(
            {
                "employee": person.username,
                "name": _name(person),
                "periods": [
                    {
                        "period": card.period,
                        "plan": card.plan,
                        "score": _f(card.score),
                        "band": card.band,
                        "payout": _f(card.payout),
                        "bonus": _f(card.bonus),
                        "flags": card.flags,
                        "lines": [
                            {
                                "code": line.code,
                                "name": line.name,
                                "unit": line.unit,
                                "method": line.method,
                                "weight": _f(line.weight),
                                "actual": line.actual,
                                "target": line.target,
                                "points": _f(line.points),
                                "reasons": line.reasons,
                            }
                            for line in card.lines
                        ],
                    }
                    for card in periods
                ],
            }
        )


def _cycle(row: CycleListRow, still_open: int | None = None) -> dict[str, Any]:
    return {
        "period": row.period,
        "status": str(row.status),
        "status_label": str(row.status_label),
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "results": row.results,
        "still_open": still_open,
    }


class CyclesView(APIView):
    permission_classes = [HasScope]
    scopes = {"GET": Scope.RESULTS_READ}

    @extend_schema(
        operation_id="cycles_list",
        summary="Every period and its cycle's status",
        responses={200: CycleOut(many=True), **READ_PROBLEMS},
        tags=["cycles"],
    )
    def get(self, request: Request) -> Response:
        return Response([_cycle(row) for row in cycles_list()])


class CycleView(APIView):
    permission_classes = [HasScope]
    scopes = {"GET": Scope.RESULTS_READ}

    @extend_schema(
        operation_id="cycle_read",
        summary="One period's cycle: its status, results and how many people are still open",
        parameters=[PERIOD],
        responses={200: CycleOut, **READ_PROBLEMS},
        tags=["cycles"],
    )
    def get(self, request: Request, period: Period) -> Response:
        row = next((row for row in cycles_list() if row.period == str(period)), None)
        if row is None:
            row = CycleListRow(
                period=str(period),
                status=CycleStatus.OPEN,
                status_label=cycle_status_label(CycleStatus.OPEN, closed_in_part=False),
                closed_at=None,
                results=0,
            )
        return Response(_cycle(row, still_open=len(close_scope(period=period))))


class CycleCloseView(APIView):
    atomic_request = False  # see metrics/api/urls.py: its task is enqueued when the request commits
    permission_classes = [HasScope]
    scopes = {"POST": Scope.CYCLES_WRITE}

    @extend_schema(
        operation_id="cycle_close",
        summary="Close a period, or part of it (SPEC.md section 8)",
        description="Refused, listing what is missing, while figures are missing, unless `force`. "
        "The workers score it: follow its status at `/api/v1/cycles/{period}/`. A token limited to "
        "departments or plans closes only those (all of them when none is named).",
        parameters=[PERIOD],
        request=CloseIn,
        responses={200: CloseOut, 202: CloseOut, **WRITE_PROBLEMS, **_problems(503)},
        tags=["cycles"],
    )
    def post(self, request: Request, period: Period) -> Response:
        client = api_client(request)
        data = _valid(CloseIn, request)
        departments = _within(
            data["departments"],
            client.department_names(),
            _("This token may not close departments outside its own: %(names)s."),
        )
        plans = _within(
            data["plans"], client.plan_codes(), _("This token may not close plans outside its own: %(names)s.")
        )
        selection = Selection(departments=tuple(departments), plans=tuple(plans), complete=data["complete"])
        try:
            asked = cycle_close_request(
                period=period,
                force=data["force"],
                enqueue=cycle_close_enqueue,
                selection=selection,
                via=client.name,
            )
        except CloseRefused as refused:
            missing = [
                {"employee": m.employee, "period": m.period, "indicator": m.indicator, "message": str(m)}
                for m in refused.missing
            ]
            raise RowsRefused(
                [{"row": None, "index": None, "field": "", "message": refused.message}], extra={"missing": missing}
            ) from refused
        except BrokerError as error:
            raise ServiceUnavailable(
                _("The task queue cannot be reached: %(period)s stays open and nothing was lost. Try again later.")
                % {"period": period}
            ) from error
        body = {
            "period": str(period),
            "already_closed": asked.already_closed,
            "close": asked.part.number if asked.part else None,
            "status": str(asked.cycle.status),
        }
        return Response(body, status=200 if asked.already_closed else 202)


def _within(asked: list[str], allowed: set[str], refusal: str) -> list[str]:
    """What a close names, within a token's limits: all of them when it names none."""
    if not allowed:
        return asked
    outside = sorted(set(asked) - allowed)
    if outside:
        raise exceptions.PermissionDenied(refusal % {"names": ", ".join(outside)})
    return asked or sorted(allowed)
