"""Writes of plans: publishing versions."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from people.models import User
from plans.models import Band, Goal, Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.plan_file import PlanDefinition
from plans.selectors import plan_current_version, plan_definition


@dataclass(frozen=True)
class PublishOutcome:
    version: PlanVersion
    created: bool  # False: the definition was the current version already


@transaction.atomic
def plan_publish(*, definition: PlanDefinition, user: User | None = None) -> PublishOutcome:
    """Publish a checked plan as the next immutable version of its template.

    A definition identical to the current version publishes nothing.
    """
    template, _ = PlanTemplate.objects.select_for_update().get_or_create(
        code=definition.code, defaults={"name": definition.name}
    )
    current = plan_current_version(template=template)
    if current is not None and plan_definition(version=current) == definition:
        return PublishOutcome(version=current, created=False)
    if template.name != definition.name:
        template.name = definition.name
        template.save(update_fields=["name"])
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = _version_create(template=template, number=number, definition=definition)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user
    version.save(update_fields=["status", "published_at", "published_by"])
    return PublishOutcome(version=version, created=True)


def _version_create(*, template: PlanTemplate, number: int, definition: PlanDefinition) -> PlanVersion:
    streak = definition.streak
    version = PlanVersion.objects.create(
        template=template,
        number=number,
        name=definition.name,
        streak_months=streak.months if streak else None,
        streak_min_score=streak.min_score if streak else None,
        streak_flag=streak.flag if streak else "",
    )
    goals = Goal.objects.bulk_create(
        Goal(version=version, code=goal.code, name=goal.name, position=index)
        for index, goal in enumerate(definition.goals)
    )
    goal_ids = {goal.code: goal.pk for goal in goals}
    if not all(goal_ids.values()):  # a backend that returns no ids from bulk inserts
        goal_ids = dict(Goal.objects.filter(version=version).values_list("code", "pk"))
    Indicator.objects.bulk_create(
        Indicator(
            version=version,
            goal_id=goal_ids.get(item.goal) if item.goal else None,
            code=item.rule.code,
            name=item.name,
            unit=item.unit,
            frequency=item.rule.frequency,
            weight=item.rule.weight,
            direction=item.rule.direction,
            method=item.rule.method,
            target=item.rule.target,
            floor=item.rule.floor,
            cap=item.rule.cap,
            bonus_per_unit=item.rule.bonus_per_unit,
            penalty_per_unit=item.rule.penalty_per_unit,
            tiers=[[str(threshold), str(points)] for threshold, points in item.rule.tiers],
            scale=item.rule.scale,
            formula=item.rule.formula or "",
            inputs=list(item.rule.inputs),
            stretch_target=item.rule.stretch_target,
            stretch_bonus=item.rule.stretch_bonus if item.rule.stretch_target is not None else None,
            position=index,
        )
        for index, item in enumerate(definition.indicators)
    )
    Band.objects.bulk_create(
        Band(version=version, min=band.min, label=band.label, payout=band.payout, flag=band.flag)
        for band in definition.bands
    )
    return version
