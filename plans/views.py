"""The plan pages: HR builds, checks, publishes and downloads plans. Every view is HR-only."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from people.access import HR_ROLES, AuthenticatedHttpRequest, role_required
from plans import services
from plans.forms import (
    BandForm,
    DraftGuidelineForm,
    DraftSettingsForm,
    FollowUpDecisionsForm,
    GoalForm,
    PlanCodeForm,
    PlanUploadForm,
    TryForm,
)
from plans.indicator_form import METHOD_FIELDS, METHOD_SETTINGS, IndicatorForm, formula_read
from plans.models import Band, Goal, Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.numbers import number_tidy
from plans.overview import version_overview
from plans.plan_file import PLAN_FILE_MAX_BYTES, PlanFileError, plan_file_loads
from plans.plan_file_write import plan_file_dumps
from plans.refusals import refusal_show
from plans.scoring import Method, indicator_score
from plans.selectors import (
    draft_check,
    indicator_rule,
    library_template,
    library_templates,
    plan_current_version,
    plan_definition,
    plan_draft,
    plan_history,
    plan_summaries,
    publish_summary,
    weight_total,
)

hr_only = role_required(*HR_ROLES)


def _template(code: str) -> PlanTemplate:
    return get_object_or_404(PlanTemplate, code=code)


def _draft(code: str) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.select_related("template"), template__code=code, status=VersionStatus.DRAFT
    )


def _published(code: str, number: int) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.select_related("template"),
        template__code=code,
        number=number,
        status=VersionStatus.PUBLISHED,
    )


# --- the list, new plans, files ---------------------------------------------------------------


@hr_only
@require_GET
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "plans/plan_list.html",
        {"plans": plan_summaries(), "library": library_templates(), "form": PlanCodeForm(), "upload": PlanUploadForm()},
    )


@hr_only
def plan_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PlanCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.plan_create(code=form.cleaned_data["code"], name=form.cleaned_data["name"])
        except services.PlanError as error:
            refusal_show(error, form=form, field="code")
        else:
            messages.success(request, _("Plan created: add its goals, indicators and bands, then publish it."))
            return redirect("plans:draft", code=draft.template.code)
    return render(request, "plans/plan_code_form.html", {"form": form, "title": _("New plan")})


@hr_only
def library_start(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    found = library_template(key=key)
    if found is None:
        raise Http404
    # A name, and a code made free from it unless HR gives one: the library's own code is likely taken.
    form = PlanCodeForm(request.POST or None, initial={"name": found.name})
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.plan_start_from_library(
                key=key, code=form.cleaned_data["code"], name=form.cleaned_data["name"]
            )
        except services.PlanError as error:
            refusal_show(error, form=form, field="code")
        else:
            messages.success(request, _("Draft created from “%(name)s”.") % {"name": found.name})
            return redirect("plans:draft", code=draft.template.code)
    title = _("Start from “%(name)s”") % {"name": found.name}
    return render(request, "plans/plan_code_form.html", {"form": form, "title": title})


@hr_only
def plan_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > PLAN_FILE_MAX_BYTES:  # refused before it is read
                raise PlanFileError([_("The plan file is larger than 1 MB: a plan file is a few kilobytes.")])
            definition = plan_file_loads(upload.read())
        except PlanFileError as error:
            errors = error.messages
        else:
            outcome = services.plan_publish(definition=definition, user=request.user)
            if outcome.created:
                messages.success(
                    request,
                    _("Published %(code)s version %(number)s.")
                    % {"code": definition.code, "number": outcome.version.number},
                )
            else:
                messages.info(
                    request,
                    _("%(code)s is unchanged: version %(number)s is already this plan.")
                    % {"code": definition.code, "number": outcome.version.number},
                )
            return redirect("plans:detail", code=definition.code)
    status = 400 if errors else 200
    return render(request, "plans/plan_upload.html", {"form": form, "errors": errors}, status=status)


@hr_only
@require_GET
def version_download(request: AuthenticatedHttpRequest, code: str, number: int) -> HttpResponse:
    version = _published(code, number)
    response = HttpResponse(
        plan_file_dumps(plan_definition(version=version)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{version.template.code}-v{version.number}.json"'
    return response


# --- one plan: versions, editing, cloning -------------------------------------------------------


def _plan_page(
    request: AuthenticatedHttpRequest, template: PlanTemplate, decisions: FollowUpDecisionsForm
) -> HttpResponse:
    history = plan_history(template=template)
    has_draft = any(entry.version.status == VersionStatus.DRAFT for entry in history)
    context = {"template": template, "history": history, "has_draft": has_draft, "decisions_form": decisions}
    return render(request, "plans/plan_detail.html", context)


@hr_only
@require_GET
def plan_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    template = _template(code)
    return _plan_page(request, template, FollowUpDecisionsForm.for_template(template))


@hr_only
@require_POST
def plan_follow_up_decisions(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """HR's own follow-up decisions of the plan, saved from the plan's page, which shows any refusal."""
    template = _template(code)
    form = FollowUpDecisionsForm(request.POST)
    if form.is_valid():
        try:
            services.plan_follow_up_decisions_set(template=template, names=form.names_list())
        except services.PlanError as error:
            refusal_show(error, form=form, field="names")
        else:
            messages.success(request, _("The plan’s own follow-up decisions are saved."))
            return redirect("plans:detail", code=template.code)
    return _plan_page(request, template, form)


@hr_only
@require_GET
def version_detail(request: AuthenticatedHttpRequest, code: str, number: int) -> HttpResponse:
    version = _published(code, number)
    context = {"template": version.template, "overview": version_overview(version=version)}
    return render(request, "plans/version_detail.html", context)


@hr_only
@require_POST
def plan_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    draft = services.draft_open(template=_template(code))
    return redirect("plans:draft", code=draft.template.code)


@hr_only
def plan_clone(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    template = _template(code)
    source = plan_current_version(template=template) or plan_draft(template=template)
    if source is None:
        raise Http404
    form = PlanCodeForm(request.POST or None, initial={"name": template.name})
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.plan_clone(version=source, code=form.cleaned_data["code"], name=form.cleaned_data["name"])
        except services.PlanError as error:
            refusal_show(error, form=form, field="code")
        else:
            messages.success(request, _("Plan copied as a draft."))
            return redirect("plans:draft", code=draft.template.code)
    title = _("Copy “%(name)s” into a new plan") % {"name": template.name}
    return render(request, "plans/plan_code_form.html", {"form": form, "title": title})


# --- the draft: the builder ---------------------------------------------------------------------


@hr_only
def draft_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    draft = _draft(code)
    published = plan_current_version(template=draft.template) is not None
    form = (
        DraftSettingsForm(request.POST, published=published)
        if request.method == "POST"
        else DraftSettingsForm.for_draft(draft, published=published)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_update(draft=draft, **form.cleaned_data)
        except services.PlanError as error:
            draft.template.refresh_from_db()  # the code refused is not the page's address
            refusal_show(error, form=form)
        else:
            messages.success(request, _("Plan settings saved."))
            return redirect("plans:draft", code=draft.template.code)
    _definition, problems = draft_check(draft=draft)
    current = plan_current_version(template=draft.template)
    context = {
        "template": draft.template,
        "overview": version_overview(version=draft),
        "form": form,
        "guideline_form": DraftGuidelineForm.for_draft(draft, _band_labels(draft)),
        "problems": problems,
        "current": current,
        # A version published (from a file) after the draft was made: publishing the draft undoes it.
        "overtaken": bool(current and current.published_at and current.published_at > draft.created_at),
    }
    return render(request, "plans/draft.html", context)


@hr_only
@require_POST
def draft_guideline(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The draft's calibration and distribution guideline, one field pair per band."""
    draft = _draft(code)
    form = DraftGuidelineForm(request.POST, bands=_band_labels(draft))
    if form.is_valid():
        services.draft_guideline_update(
            draft=draft, calibration=form.cleaned_data["calibration"], distribution=form.guideline()
        )
        messages.success(request, _("Calibration and distribution guideline saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("plans:draft", code=code)


def _band_labels(draft: PlanVersion) -> list[str]:
    return list(draft.bands.order_by("-min").values_list("label", flat=True))


@hr_only
def draft_publish(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """GET: what publishing would do (the plan, what changes, who is on the current version), to
    confirm; POST: publish."""
    draft = _draft(code)
    if request.method != "POST":
        _definition, problems = draft_check(draft=draft)
        context = {
            "template": draft.template,
            "overview": version_overview(version=draft),
            "problems": problems,
            "summary": publish_summary(draft=draft),
        }
        return render(request, "plans/publish_confirm.html", context, status=200)
    try:
        outcome = services.draft_publish(draft=draft, user=request.user)
    except PlanFileError as error:
        for problem in error.messages:
            messages.error(request, _("Not published: %(problem)s") % {"problem": problem})
        return redirect("plans:draft", code=code)
    if outcome.created:
        messages.success(request, _("Published version %(number)s.") % {"number": outcome.version.number})
    else:
        messages.info(
            request,
            _("The draft was the same as version %(number)s: nothing was published.")
            % {"number": outcome.version.number},
        )
    return redirect("plans:detail", code=code)


@hr_only
@require_POST
def draft_discard(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    services.draft_discard(draft=_draft(code))
    messages.success(request, _("Draft discarded."))
    if PlanTemplate.objects.filter(code=code).exists():
        return redirect("plans:detail", code=code)
    return redirect("plans:list")


def _saved(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    messages.success(request, _("Saved."))
    return redirect("plans:draft", code=code)


def _part_edit(
    request: AuthenticatedHttpRequest,
    *,
    draft: PlanVersion,
    form: Form,
    save: Callable[[dict[str, Any]], object],
    field: str,
    title: str,
) -> HttpResponse:
    """A goal's or a band's form: saved, or shown again with the service's refusal at ``field``."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.PlanError as error:
            refusal_show(error, form=form, field=field)
        else:
            return _saved(request, draft.template.code)
    return render(request, "plans/part_form.html", {"form": form, "title": title, "template": draft.template})


@hr_only
def goal_edit(request: AuthenticatedHttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    draft = _draft(code)
    goal = get_object_or_404(Goal, pk=pk, version=draft) if pk is not None else None
    initial = {"code": goal.code, "name": goal.name} if goal else None
    form = GoalForm(request.POST or None, initial=initial)
    return _part_edit(
        request,
        draft=draft,
        form=form,
        save=lambda data: services.goal_save(draft=draft, goal=goal, **data),
        field="code",
        title=_("Edit goal") if goal else _("New goal"),
    )


@hr_only
@require_POST
def goal_delete(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.select_related("version"), pk=pk, version=_draft(code))
    try:
        services.goal_delete(goal=goal)
    except services.PlanError as error:
        refusal_show(error, request=request)
    else:
        messages.success(request, _("Goal deleted."))
    return redirect("plans:draft", code=code)


@hr_only
def indicator_edit(request: AuthenticatedHttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    draft = _draft(code)
    indicator = get_object_or_404(Indicator, pk=pk, version=draft) if pk is not None else None
    initial = IndicatorForm.initial_for(indicator) if indicator else None
    form = IndicatorForm(request.POST or None, initial=initial, draft=draft)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(draft=draft, indicator=indicator, fields=form.indicator_fields())
        except services.PlanError as error:
            refusal_show(error, form=form)
        else:
            return _saved(request, code)
    context = {
        "form": form,
        "title": _("Edit indicator") if indicator else _("New indicator"),
        "template": draft.template,
        "other_weights": weight_total(version=draft, without=indicator),
        # Each setting with the methods that use it: the page shows the current method's only.
        "method_settings": [
            (form[name], " ".join(m for m, used in METHOD_FIELDS.items() if name in used))
            for name in METHOD_SETTINGS
            if name not in ("tiers", "cap")
        ],
        "tiers_methods": " ".join(m for m, used in METHOD_FIELDS.items() if "tiers" in used),
        "cap_methods": " ".join(m for m, used in METHOD_FIELDS.items() if "cap" in used),
        "tier_rows": [*form.tier_rows, ("", "")],
        "input_rows": [*form.input_rows, ("", "", "", "")],
    }
    return render(request, "plans/indicator_form.html", context)


@hr_only
@require_POST
def indicator_delete(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("version"), pk=pk, version=_draft(code))
    services.indicator_delete(indicator=indicator)
    messages.success(request, _("Indicator deleted."))
    return redirect("plans:draft", code=code)


@hr_only
def band_edit(request: AuthenticatedHttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    draft = _draft(code)
    band = get_object_or_404(Band, pk=pk, version=draft) if pk is not None else None
    initial = (
        {
            "minimum": number_tidy(band.min),
            "label": band.label,
            "payout": number_tidy(band.payout),
            "flag_label": band.flag_label,
            "flag": band.flag,
        }
        if band
        else None
    )
    form = BandForm(request.POST or None, initial=initial)
    return _part_edit(
        request,
        draft=draft,
        form=form,
        save=lambda data: services.band_save(draft=draft, band=band, **data),
        field="label",
        title=_("Edit band") if band else _("New band"),
    )


@hr_only
@require_POST
def band_delete(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    band = get_object_or_404(Band.objects.select_related("version"), pk=pk, version=_draft(code))
    services.band_delete(band=band)
    messages.success(request, _("Band deleted."))
    return redirect("plans:draft", code=code)


# --- "try it": the scoring core on one indicator ------------------------------------------------


@hr_only
@require_POST
def formula_check(request: AuthenticatedHttpRequest, code: str) -> JsonResponse:
    """The indicator form's formula read as the form will read it on saving, as HR types: what is
    wrong with it, or nothing. A POST of the form as it stands (its inputs' rows included)."""
    _draft(code)
    data = request.POST
    names = tuple(name.strip() for name in data.getlist("input_name"))
    labels = [label.strip() for label in data.getlist("input_label")]
    named = {label: name for name, label in zip(names, labels, strict=False) if label and name}
    unnamed = [label for name, label in zip(names, labels, strict=False) if label and not name]
    # An input given only its label is named when the form is saved: its label is a name meanwhile.
    named.update({label: f"input{index}" for index, label in enumerate(unnamed)})
    _formula, problem = formula_read(
        data.get("formula", "").strip(), names=(*[n for n in names if n], *named.values()), labels=named
    )
    return JsonResponse({"problem": problem})


@hr_only
@require_GET
def indicator_try(request: AuthenticatedHttpRequest, code: str, pk: int) -> JsonResponse:
    """The points one actual value earns, computed by the scoring core, as JSON."""
    indicator = get_object_or_404(Indicator, pk=pk, version__template__code=code)
    form = TryForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": _("Enter a number as the actual value.")}, status=400)
    actual: Decimal = form.cleaned_data["actual"]
    rule = indicator_rule(indicator=indicator)
    if rule.method == Method.RATING and rule.scale is not None and not 0 <= actual <= rule.scale:
        message = _("A rating lies between 0 and %(scale)s.") % {"scale": number_tidy(rule.scale)}
        return JsonResponse({"error": message}, status=400)
    try:
        score = indicator_score(rule, actual)
    except (ValueError, ArithmeticError):
        message = _("This indicator cannot be scored yet: complete its method's settings.")
        return JsonResponse({"error": message}, status=400)
    notes = [
        note
        for flag, note in (
            (score.capped, _("capped")),
            (score.floored, _("below the floor")),
            (score.stretched, _("stretch bonus")),
        )
        if flag
    ]
    text = _("%(points)s points") % {"points": score.points}
    if notes:
        text += f" ({', '.join(notes)})"
    result: dict[str, Any] = {
        "points": str(score.points),
        "weight": str(number_tidy(rule.weight)),
        "capped": score.capped,
        "floored": score.floored,
        "stretched": score.stretched,
        "text": text,
    }
    return JsonResponse(result)
