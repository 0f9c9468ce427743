"""Writes of plans: publishing versions, and the drafts HR builds in the browser."""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import User
from plans.codes import code_from_name, flag_from_label, plan_code_from_name
from plans.errors import ApplicationError
from plans.models import Band, Goal, Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.plan_file import DistributionRule, InputDefinition, PlanDefinition, plan_file_parse
from plans.selectors import (
    DRAFT_NUMBER,
    distribution_data,
    input_limits_data,
    library_template,
    plan_current_version,
    plan_definition,
    plan_draft,
    version_plan_data,
)


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
    flag_labels = dict(definition.flag_labels)
    version = PlanVersion.objects.create(
        template=template,
        number=number,
        name=definition.name,
        streak_months=streak.months if streak else None,
        streak_min_score=streak.min_score if streak else None,
        streak_flag=streak.flag if streak else "",
        distribution=distribution_data(definition.distribution),
        calibration=definition.calibration,
        streak_flag_label=flag_labels.get(streak.flag, "") if streak else "",
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
            input_limits=input_limits_data(item.input_details),
            minimum=item.minimum,
            maximum=item.maximum,
            stretch_target=item.rule.stretch_target,
            stretch_bonus=item.rule.stretch_bonus if item.rule.stretch_target is not None else None,
            position=index,
        )
        for index, item in enumerate(definition.indicators)
    )
    Band.objects.bulk_create(
        Band(
            version=version,
            min=band.min,
            label=band.label,
            payout=band.payout,
            flag=band.flag,
            flag_label=flag_labels.get(band.flag, ""),
        )
        for band in definition.bands
    )
    return version


# --- drafts: what HR edits in the browser ---------------------------------------------------------


class PlanError(ApplicationError):
    """A refused change, with a message for HR."""


def _require_draft(version: PlanVersion) -> None:
    # Results and assignments point at published versions: changing one would rewrite history.
    if version.status != VersionStatus.DRAFT:
        raise PlanError(_("Version %(number)s is published and cannot be changed.") % {"number": version.number})


def _template_create(*, code: str, name: str) -> PlanTemplate:
    """A new template; without a code, one made from the name (``客户经理`` → ``kehujingli``)."""
    if not code:
        code = plan_code_from_name(name, taken=set(PlanTemplate.objects.values_list("code", flat=True)))
    if PlanTemplate.objects.filter(code=code).exists():
        raise PlanError(_("A plan with the code “%(code)s” exists already.") % {"code": code})
    return PlanTemplate.objects.create(code=code, name=name)


@transaction.atomic
def plan_create(*, code: str, name: str) -> PlanVersion:
    """A new, empty plan: a template with a draft and nothing published."""
    template = _template_create(code=code, name=name)
    return PlanVersion.objects.create(template=template, number=DRAFT_NUMBER, name=name)


def _version_copy(*, source: PlanVersion, template: PlanTemplate, name: str) -> PlanVersion:
    """A draft of ``template`` holding the same goals, indicators, bands and streak as ``source``."""
    draft = PlanVersion.objects.create(
        template=template,
        number=DRAFT_NUMBER,
        name=name,
        streak_months=source.streak_months,
        streak_min_score=source.streak_min_score,
        streak_flag=source.streak_flag,
        distribution=source.distribution,
        calibration=source.calibration,
        streak_flag_label=source.streak_flag_label,
    )
    goal_ids = {}
    for goal in Goal.objects.filter(version=source).order_by("position", "pk"):
        old_id = goal.pk
        goal.pk = None
        goal.version = draft
        goal.save()
        goal_ids[old_id] = goal.pk
    indicators = list(Indicator.objects.filter(version=source).order_by("position", "pk"))
    for indicator in indicators:
        indicator.pk = None
        indicator.version = draft
        indicator.goal_id = goal_ids.get(indicator.goal_id) if indicator.goal_id else None
    Indicator.objects.bulk_create(indicators)
    bands = list(Band.objects.filter(version=source))
    for band in bands:
        band.pk = None
        band.version = draft
    Band.objects.bulk_create(bands)
    return draft


@transaction.atomic
def draft_open(*, template: PlanTemplate) -> PlanVersion:
    """The template's draft: the one being edited, or a new copy of the current version."""
    PlanTemplate.objects.select_for_update().filter(pk=template.pk).first()  # one draft, even when two click
    draft = plan_draft(template=template)
    if draft is not None:
        return draft
    current = plan_current_version(template=template)
    if current is None:
        return PlanVersion.objects.create(template=template, number=DRAFT_NUMBER, name=template.name)
    return _version_copy(source=current, template=template, name=current.name)


@transaction.atomic
def plan_clone(*, version: PlanVersion, code: str, name: str) -> PlanVersion:
    """A new plan, as a draft, starting from the goals and indicators of ``version``."""
    template = _template_create(code=code, name=name)
    return _version_copy(source=version, template=template, name=name)


@transaction.atomic
def plan_start_from_library(*, key: str, name: str, code: str = "") -> PlanVersion:
    """A new plan, as a draft, starting from one of the plans that ship with the product; without a
    code, a free one made from the name."""
    found = library_template(key=key)
    if found is None:
        raise PlanError(_("There is no starting plan “%(key)s”.") % {"key": key})
    template = _template_create(code=code, name=name)
    definition = plan_file_parse({**found.data, "code": template.code, "name": name})
    return _version_create(template=template, number=DRAFT_NUMBER, definition=definition)


def _flag_code(*, draft: PlanVersion, flag: str, label: str, band: Band | None = None, streak: bool = False) -> str:
    """The flag's code: as HR typed it, or the one the draft already gives this label, or one made
    from the label. A flag has one label in a plan: another label for a flag in use is refused."""
    others = [(b.flag, b.flag_label) for b in Band.objects.filter(version=draft).exclude(pk=band.pk if band else 0)]
    if not streak:
        others.append((draft.streak_flag, draft.streak_flag_label))
    others = [(code, text) for code, text in others if code]
    if not flag and label:
        flag = next((code for code, text in others if text == label), "") or flag_from_label(
            label, taken={code for code, _text in others}
        )
    for code, text in others:
        if code == flag and text and label and text != label:
            raise PlanError(
                _("The flag “%(flag)s” is labelled “%(label)s” elsewhere in the plan: give it the same label.")
                % {"flag": code, "label": text}
            )
    return flag


@transaction.atomic
def draft_update(
    *,
    draft: PlanVersion,
    name: str,
    streak_months: int | None,
    streak_min_score: Decimal | None,
    streak_flag: str,
    streak_flag_label: str = "",
    code: str | None = None,
) -> PlanVersion:
    """The draft's name and streak rule; ``code`` renames a plan that was never published."""
    _require_draft(draft)
    template = draft.template
    if code is not None and code != template.code:
        if template.versions.filter(status=VersionStatus.PUBLISHED).exists():
            raise PlanError(_("The plan is published: its code cannot change."))
        template.code = code or plan_code_from_name(
            name, taken=set(PlanTemplate.objects.exclude(pk=template.pk).values_list("code", flat=True))
        )
        if PlanTemplate.objects.filter(code=template.code).exclude(pk=template.pk).exists():
            raise PlanError(_("A plan with the code “%(code)s” exists already.") % {"code": template.code})
        template.save(update_fields=["code"])
    draft.name = name
    draft.streak_months = streak_months
    draft.streak_min_score = streak_min_score
    draft.streak_flag_label = streak_flag_label
    draft.streak_flag = _flag_code(draft=draft, flag=streak_flag, label=streak_flag_label, streak=True)
    draft.save(update_fields=["name", "streak_months", "streak_min_score", "streak_flag", "streak_flag_label"])
    return draft


@transaction.atomic
def draft_guideline_update(
    *, draft: PlanVersion, calibration: bool, distribution: list[DistributionRule]
) -> PlanVersion:
    """The draft's calibration and distribution guideline (SPEC.md section 10), checked when it is published."""
    _require_draft(draft)
    draft.calibration = calibration
    draft.distribution = distribution_data(distribution)
    draft.save(update_fields=["calibration", "distribution"])
    return draft


@transaction.atomic
def draft_discard(*, draft: PlanVersion) -> None:
    """Throw a draft away; a plan that was never published goes with it."""
    _require_draft(draft)
    template = draft.template
    draft.delete()
    if not template.versions.exists():
        template.delete()


@transaction.atomic
def draft_publish(*, draft: PlanVersion, user: User | None = None) -> PublishOutcome:
    """Check the draft as a plan file and publish it as the next version (max + 1).

    Raises ``PlanFileError`` with every problem, and changes nothing then. A draft identical
    to the current version publishes nothing and is closed.
    """
    _require_draft(draft)
    definition = plan_file_parse(version_plan_data(version=draft))
    draft.delete()
    return plan_publish(definition=definition, user=user)


@transaction.atomic
def goal_save(*, draft: PlanVersion, code: str, name: str, goal: Goal | None = None) -> Goal:
    """A goal of the draft; without a code, one made from the name."""
    _require_draft(draft)
    if not code:
        code = code_from_name(
            name,
            taken=set(
                Goal.objects.filter(version=draft).exclude(pk=goal.pk if goal else 0).values_list("code", flat=True)
            ),
            fallback="goal",
        )
    if Goal.objects.filter(version=draft, code=code).exclude(pk=goal.pk if goal else 0).exists():
        raise PlanError(_("The plan has a goal “%(code)s” already.") % {"code": code})
    if goal is None:
        position = (draft.goals.aggregate(n=Max("position"))["n"] or 0) + 1
        return Goal.objects.create(version=draft, code=code, name=name, position=position)
    goal.code, goal.name = code, name
    goal.save(update_fields=["code", "name"])
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal) -> None:
    _require_draft(goal.version)
    if goal.indicators.exists():
        # The foreign key would take the indicators with it: HR moves or deletes them first.
        raise PlanError(_("Goal “%(code)s” still has indicators: move or delete them first.") % {"code": goal.code})
    goal.delete()


@dataclass(frozen=True)
class IndicatorFields:
    """An indicator as HR entered it; what a method does not use is None."""

    code: str
    name: str
    goal: Goal | None
    unit: str
    frequency: str
    weight: Decimal
    direction: str
    method: str
    target: Decimal | None = None
    floor: Decimal | None = None
    cap: Decimal | None = None
    bonus_per_unit: Decimal | None = None
    penalty_per_unit: Decimal | None = None
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()
    scale: Decimal | None = None
    formula: str = ""
    inputs: tuple[str, ...] = ()
    stretch_target: Decimal | None = None
    stretch_bonus: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    input_details: tuple[InputDefinition, ...] = ()  # the inputs with a label or a range


@transaction.atomic
def indicator_save(*, draft: PlanVersion, fields: IndicatorFields, indicator: Indicator | None = None) -> Indicator:
    """An indicator of the draft; without a code, one made from the name (a metrics file's column)."""
    _require_draft(draft)
    if not fields.code:
        others = Indicator.objects.filter(version=draft).exclude(pk=indicator.pk if indicator else 0)
        code = code_from_name(fields.name, taken=set(others.values_list("code", flat=True)), fallback="indicator")
        fields = replace(fields, code=code)
    if Indicator.objects.filter(version=draft, code=fields.code).exclude(pk=indicator.pk if indicator else 0).exists():
        raise PlanError(_("The plan has an indicator “%(code)s” already.") % {"code": fields.code})
    if fields.goal is not None and fields.goal.version_id != draft.pk:
        raise PlanError(_("That goal belongs to another plan."))
    if indicator is None:
        position = (draft.indicators.aggregate(n=Max("position"))["n"] or 0) + 1
        indicator = Indicator(version=draft, position=position)
    for name in IndicatorFields.__dataclass_fields__:
        value = getattr(fields, name)
        if name == "tiers":
            value = [[str(threshold), str(points)] for threshold, points in value]
        elif name == "inputs":
            value = list(value)
        elif name == "input_details":
            name, value = "input_limits", input_limits_data(value)
        setattr(indicator, name, value)
    indicator.save()
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> None:
    _require_draft(indicator.version)
    indicator.delete()


@transaction.atomic
def band_save(
    *,
    draft: PlanVersion,
    minimum: Decimal,
    label: str,
    payout: Decimal,
    flag: str,
    flag_label: str = "",
    band: Band | None = None,
) -> Band:
    """A band of the draft; a flag's code, when HR gives only its label, is made from the label."""
    _require_draft(draft)
    if Band.objects.filter(version=draft, label=label).exclude(pk=band.pk if band else 0).exists():
        raise PlanError(_("The plan has a band “%(label)s” already.") % {"label": label})
    flag = _flag_code(draft=draft, flag=flag, label=flag_label, band=band)
    band = band or Band(version=draft)
    band.min, band.label, band.payout, band.flag, band.flag_label = minimum, label, payout, flag, flag_label
    band.save()
    return band


@transaction.atomic
def band_delete(*, band: Band) -> None:
    _require_draft(band.version)
    band.delete()


# --- HR's own follow-up decisions of a plan (not part of the plan file) ---------------------------

FOLLOW_UP_DECISION_MAX_LENGTH = 100  # metrics.followups.models.NAME_MAX_LENGTH
FOLLOW_UP_DECISIONS_MAX = 20


@transaction.atomic
def plan_follow_up_decisions_set(*, template: PlanTemplate, names: list[str]) -> list[str]:
    """Replace the plan's own follow-up decision names (the follow-ups page offers them beside the
    built-in ones); every problem is refused at once and nothing is saved."""
    cleaned = [name.strip() for name in names if name.strip()]
    problems = []
    for name in cleaned:
        if len(name) > FOLLOW_UP_DECISION_MAX_LENGTH:
            problems.append(
                _("“%(name)s…” is longer than %(max)s characters.")
                % {"name": name[:20], "max": FOLLOW_UP_DECISION_MAX_LENGTH}
            )
    for name in sorted({name for name in cleaned if cleaned.count(name) > 1}):
        problems.append(_("“%(name)s” is listed twice.") % {"name": name})
    if len(cleaned) > FOLLOW_UP_DECISIONS_MAX:
        problems.append(
            _("At most %(max)s decisions, not %(count)s.") % {"max": FOLLOW_UP_DECISIONS_MAX, "count": len(cleaned)}
        )
    if problems:
        raise PlanError(problems)
    template.follow_up_decisions = cleaned
    template.save(update_fields=["follow_up_decisions"])
    return cleaned
