"""The shapes of what the API takes and gives: checked on the way in, and the OpenAPI schema's source.

Rows are SPEC.md section 4's files as JSON: one object a row, the file's columns as its keys.
The rows themselves are checked by the services the commands and pages use, never here.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$"
CELL = {"oneOf": [{"type": "string", "maxLength": 1000}, {"type": "number"}], "nullable": True}


@extend_schema_field(
    {
        "type": "object",
        "description": "A row of the metrics file (SPEC.md section 4): `employee`, `period` and a key a "
        "column (an indicator's code, or `<indicator>.<input>` for a formula's input). "
        "A missing, null or empty value changes nothing.",
        "properties": {
            "employee": {"type": "string", "minLength": 1, "maxLength": 150},
            "period": {"type": "string", "pattern": PERIOD_PATTERN},
        },
        "required": ["employee", "period"],
        "additionalProperties": CELL,
        "example": {"employee": "li.lei", "period": "2026-01", "churn.lost": 2, "churn.total": 50, "new_contracts": 3},
    }
)
class FigureRowField(serializers.DictField):
    pass


ROSTER_PROPERTIES: dict[str, Any] = {
    "employee": {"type": "string", "minLength": 1, "maxLength": 150},
    "name": {"type": "string", "maxLength": 200, "nullable": True},
    "department": {"type": "string", "maxLength": 200, "nullable": True},
    "manager": {"type": "string", "maxLength": 150, "nullable": True},
    "plan": {"type": "string", "maxLength": 50, "nullable": True},
    "start": {"type": "string", "maxLength": 32, "nullable": True},
    "monthly_bonus": CELL,
    "quarterly_bonus": CELL,
    "email": {"type": "string", "maxLength": 254, "nullable": True},
}


@extend_schema_field(
    {
        "type": "object",
        "description": "A row of the roster (SPEC.md section 4, with the optional `email`). "
        "A missing, null or empty value leaves that field as it is.",
        "properties": ROSTER_PROPERTIES,
        "required": ["employee"],
        "additionalProperties": False,
        "example": {
            "employee": "li.lei",
            "name": "李雷",
            "department": "客户部",
            "manager": "wang.fang",
            "plan": "customer-manager",
            "start": "2026-01",
            "monthly_bonus": "2000.00",
            "quarterly_bonus": "6000.00",
        },
    }
)
class RosterRowField(serializers.DictField):
    pass


class StrictBooleanField(serializers.BooleanField):
    """true or false, never "yes" or 1: what the schema says is what is taken."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return bool(data)


class StrictCharField(serializers.CharField):
    """Text, never a number made text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class FiguresIn(serializers.Serializer):
    rows = serializers.ListField(child=FigureRowField(), min_length=1, max_length=settings.API_MAX_ROWS)
    dry_run = StrictBooleanField(default=False, help_text="Check and say what would change; save nothing.")


class FiguresOut(serializers.Serializer):
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    changes = serializers.ListField(child=serializers.CharField(), help_text="With dry_run: each change in words.")


class RosterIn(serializers.Serializer):
    rows = serializers.ListField(child=RosterRowField(), min_length=1, max_length=settings.API_MAX_ROWS)


class RosterOut(serializers.Serializer):
    people_created = serializers.IntegerField()
    people_updated = serializers.IntegerField()
    assignments_created = serializers.IntegerField()
    assignments_updated = serializers.IntegerField()
    created = serializers.ListField(child=serializers.CharField(), help_text="The user names of the people added.")
    notes = serializers.ListField(child=serializers.CharField())


class PersonOut(serializers.Serializer):
    employee = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    role = serializers.CharField()
    department = serializers.CharField()
    manager = serializers.CharField()
    active = serializers.BooleanField()


class ResultOut(serializers.Serializer):
    employee = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    manager = serializers.CharField()
    period = serializers.CharField()
    plan = serializers.CharField(help_text="The plan's code.")
    version = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=12, decimal_places=2)
    band = serializers.CharField()
    payout = serializers.DecimalField(max_digits=8, decimal_places=2)
    bonus = serializers.DecimalField(max_digits=14, decimal_places=2)
    flags = serializers.ListField(child=serializers.CharField(), help_text="Codes, sorted.")


class LineOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    method = serializers.CharField()
    weight = serializers.DecimalField(max_digits=12, decimal_places=2)
    actual = serializers.CharField()
    target = serializers.CharField()
    points = serializers.DecimalField(max_digits=12, decimal_places=2)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it scored what it did, in words.")


class ScorecardPeriodOut(serializers.Serializer):
    period = serializers.CharField()
    plan = serializers.CharField()
    score = serializers.DecimalField(max_digits=12, decimal_places=2)
    band = serializers.CharField()
    payout = serializers.DecimalField(max_digits=8, decimal_places=2)
    bonus = serializers.DecimalField(max_digits=14, decimal_places=2)
    flags = serializers.ListField(child=serializers.CharField(), help_text="In words.")
    lines = LineOut(many=True)


class ScorecardOut(serializers.Serializer):
    employee = serializers.CharField()
    name = serializers.CharField()
    periods = ScorecardPeriodOut(many=True)


class CycleOut(serializers.Serializer):
    period = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closing", "closed"])
    status_label = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    results = serializers.IntegerField(help_text="Current results.")
    still_open = serializers.IntegerField(allow_null=True, help_text="People assigned not closed yet (one period).")


class CloseIn(serializers.Serializer):
    force = StrictBooleanField(default=False, help_text="Score missing figures 0, flagged incomplete.")
    departments = serializers.ListField(
        child=StrictCharField(max_length=200), default=list, max_length=200, help_text="Close only these (names)."
    )
    plans = serializers.ListField(
        child=StrictCharField(max_length=64), default=list, max_length=200, help_text="Close only these (codes)."
    )
    complete = StrictBooleanField(default=False, help_text="Close only those whose figures are all in.")


class CloseOut(serializers.Serializer):
    period = serializers.CharField()
    already_closed = serializers.BooleanField()
    close = serializers.IntegerField(allow_null=True, help_text="The number of this close of the period.")
    status = serializers.CharField(help_text="The cycle's status now.")


class ProblemOut(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField(), required=False)
