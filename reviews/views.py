"""Review pages: each fetches through the user's scope (another team's review is a 404), checks
the form, calls one service and redirects with a message; the wrong person gets a 403."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.access import HR_ROLES, MANAGER_ROLES, AuthenticatedHttpRequest, has_role, role_required
from people.models import Role
from people.selectors import people_visible
from plans.formats import period_text
from plans.periods import Period
from plans.refusals import refusal_show
from plans.tabular import TableError
from reviews import opening, services
from reviews.forms import (
    AppealForm,
    Decision,
    FeedbackAnswerForm,
    FeedbackRequestForm,
    QuarterChoiceForm,
    RatingsForm,
    ResolveForm,
    ReviewOpenForm,
    ReviewsOpenForm,
    SelfAssessmentForm,
)
from reviews.models import Review, ReviewAction, ReviewStatus
from reviews.review_page import review_detail
from reviews.selectors import (
    feedback_candidates,
    feedback_request_row,
    feedback_requests_list,
    feedback_requests_of,
    quarter_default,
    review_label,
    review_quarterly_indicators,
    reviews_by_status,
    reviews_of,
    reviews_visible,
    team_reviews,
)


def _review(request: AuthenticatedHttpRequest, pk: int) -> Review:
    return get_object_or_404(reviews_visible(user=request.user), pk=pk)


def _chosen_quarter(request: AuthenticatedHttpRequest) -> tuple[QuarterChoiceForm, Period | None]:
    form = QuarterChoiceForm(request.GET or None)
    period = form.cleaned_data["period"] if form.is_valid() else None
    return form, period


# --- lists --------------------------------------------------------------------------------------


@login_required
def my_reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "reviews/mine.html", {"rows": reviews_of(user=request.user)})


@role_required(Role.MANAGER)
def team(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, period = _chosen_quarter(request)
    period = period or quarter_default()
    rows = team_reviews(manager=request.user, period=period, page=request.GET.get("page"))
    return render(request, "reviews/team.html", {"form": form, "period": period, "rows": rows})


def _hr_page(
    request: AuthenticatedHttpRequest,
    *,
    open_form: ReviewOpenForm | None = None,
    many_form: ReviewsOpenForm | None = None,
    status_code: int = 200,
) -> HttpResponse:
    form, period = _chosen_quarter(request)
    status = request.GET.get("status", "")
    if status not in ReviewStatus.values:
        status = ""
    overview = reviews_by_status(user=request.user, period=period, status=status, page=request.GET.get("page"))
    initial = {"period": str(period or quarter_default())}
    context = {
        "form": form,
        "overview": overview,
        "status": status,
        "open_form": open_form or ReviewOpenForm(initial=initial, people=people_visible(user=request.user)),
        "many_form": many_form or ReviewsOpenForm(initial=initial),
    }
    return render(request, "reviews/hr_list.html", context, status=status_code)


@role_required(*HR_ROLES)
def hr_reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _hr_page(request)


@require_POST
@role_required(*HR_ROLES)
def reviews_open_many(request: AuthenticatedHttpRequest) -> HttpResponse:
    """HR opens the quarter's reviews of everyone, a department or a plan, in one action."""
    form = ReviewsOpenForm(request.POST)
    if not form.is_valid():
        return _hr_page(request, many_form=form, status_code=400)
    data = form.cleaned_data
    try:
        outcome = opening.reviews_open_many(
            period=data["period"], user=request.user, department=data["department"], plan=data["plan"]
        )
    except services.ReviewRefused as refused:
        refusal_show(refused, form=form)
        return _hr_page(request, many_form=form, status_code=400)
    messages.success(
        request,
        _("%(period)s: %(opened)s reviews opened, %(existed)s already open and kept as they were.")
        % {"period": period_text(outcome.period), "opened": outcome.opened, "existed": outcome.existed},
    )
    return redirect(f"{reverse('reviews:hr')}?{urlencode({'period': str(outcome.period)})}")


@login_required
def feedback_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    waiting, done = feedback_requests_list(user=request.user)
    return render(request, "reviews/feedback_list.html", {"waiting": waiting, "done": done})


# --- opening and the review page ------------------------------------------------------------------


def _back(request: AuthenticatedHttpRequest) -> str:
    """Where the open form came from (the team or the HR list); only a page of this site."""
    back = request.POST.get("back", "")
    # A path of this site only: redirect() would read a bare word as the name of a view.
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("reviews:team" if has_role(request.user, Role.MANAGER) else "reviews:hr")


@require_POST
@role_required(*MANAGER_ROLES)
def review_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReviewOpenForm(request.POST, people=people_visible(user=request.user))
    if not form.is_valid():
        if has_role(request.user, *HR_ROLES):
            return _hr_page(request, open_form=form, status_code=400)  # the errors beside their fields
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(error) for error in errors)
            messages.error(request, f"{label}: {text}" if label else text)
        return redirect(_back(request))
    employee = form.cleaned_data["person"]
    try:
        review = services.review_open(employee=employee, period=form.cleaned_data["period"], user=request.user)
    except services.ReviewRefused as refused:
        if has_role(request.user, *HR_ROLES):
            refusal_show(refused, form=form)
            return _hr_page(request, open_form=form, status_code=400)
        refusal_show(refused, request=request)
        return redirect(_back(request))
    messages.success(request, _("%(review)s is open.") % {"review": review_label(review)})
    return redirect("reviews:detail", pk=review.pk)


def _detail(request: AuthenticatedHttpRequest, review: Review, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    detail = review_detail(review=review, user=user)
    current = detail.current
    context: dict[str, Any] = {"detail": detail}
    if detail.can_self_assess:
        context["self_form"] = forms.get("self_form") or SelfAssessmentForm()
    if detail.can_request_feedback:
        context["feedback_form"] = forms.get("feedback_form") or FeedbackRequestForm(
            colleagues=feedback_candidates(review=review, user=user), indicators=detail.indicators
        )
    if detail.can_rate:
        context["ratings_form"] = forms.get("ratings_form") or RatingsForm(
            indicators=detail.indicators, current=current
        )
    if detail.can_acknowledge:
        context["appeal_form"] = forms.get("appeal_form") or AppealForm()
    if detail.can_resolve:
        context["resolve_form"] = forms.get("resolve_form") or ResolveForm(
            indicators=detail.indicators, current=current
        )
    return render(request, "reviews/detail.html", context, status=status)


@login_required
def review_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _review(request, pk))


def _refused(request: AuthenticatedHttpRequest, review: Review, refused: services.ReviewRefused) -> HttpResponse:
    refusal_show(refused, request=request)
    return redirect("reviews:detail", pk=review.pk)


# --- one view a step ------------------------------------------------------------------------------


@require_POST
@login_required
def self_assessment_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    services.review_step_require(review=review, action=ReviewAction.SELF_ASSESSMENT_SUBMITTED, user=request.user)
    form = SelfAssessmentForm(request.POST)
    if not form.is_valid():
        return _detail(request, review, 400, self_form=form)
    try:
        services.review_self_assessment_submit(review=review, text=form.cleaned_data["text"], user=request.user)
    except services.ReviewRefused as refused:
        return _refused(request, review, refused)
    messages.success(request, _("Your self-assessment is submitted to your manager."))
    return redirect("reviews:detail", pk=review.pk)


@require_POST
@login_required
def feedback_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    services.review_step_require(review=review, action=ReviewAction.FEEDBACK_REQUESTED, user=request.user)
    user = request.user
    form = FeedbackRequestForm(
        request.POST,
        colleagues=feedback_candidates(review=review, user=user),
        indicators=review_quarterly_indicators(review=review),
    )
    if not form.is_valid():
        return _detail(request, review, 400, feedback_form=form)
    try:
        services.review_feedback_request(
            review=review, colleague=form.cleaned_data["colleague"], indicator=form.cleaned_data["indicator"], user=user
        )
    except services.ReviewRefused as refused:
        return _refused(request, review, refused)
    messages.success(
        request, _("%(colleague)s is asked for their rating.") % {"colleague": form.cleaned_data["colleague"]}
    )
    return redirect("reviews:detail", pk=review.pk)


@require_POST
@login_required
def manager_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    services.review_step_require(review=review, action=ReviewAction.MANAGER_REVIEW_SUBMITTED, user=request.user)
    indicators = review_quarterly_indicators(review=review)
    form = RatingsForm(request.POST, indicators=indicators, current={})
    if form.is_valid():
        try:
            services.review_manager_submit(
                review=review, ratings=form.ratings(), comment=form.cleaned_data["comment"], user=request.user
            )
        except services.ReviewRefused as refused:
            return _refused(request, review, refused)
        except TableError as error:
            form.add_import_errors(error)
        else:
            messages.success(request, _("Your rating is submitted to HR for approval."))
            return redirect("reviews:detail", pk=review.pk)
    return _detail(request, review, 400, ratings_form=form)


@require_POST
@role_required(*HR_ROLES)
def approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    try:
        services.review_approve(review=review, user=request.user)
    except services.ReviewRefused as refused:
        return _refused(request, review, refused)
    messages.success(request, _("The review is approved: the employee can now read and acknowledge it."))
    return redirect("reviews:detail", pk=review.pk)


@require_POST
@login_required
def acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    services.review_step_require(review=review, action=ReviewAction.ACKNOWLEDGED, user=request.user)
    try:
        services.review_acknowledge(review=review, user=request.user)
    except services.ReviewRefused as refused:
        return _refused(request, review, refused)
    messages.success(request, _("You have acknowledged your review."))
    return redirect("reviews:detail", pk=review.pk)


@require_POST
@login_required
def appeal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    services.review_step_require(review=review, action=ReviewAction.APPEALED, user=request.user)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _detail(request, review, 400, appeal_form=form)
    try:
        services.review_appeal(review=review, reason=form.cleaned_data["reason"], user=request.user)
    except services.ReviewRefused as refused:
        return _refused(request, review, refused)
    messages.success(request, _("Your appeal is sent to HR."))
    return redirect("reviews:detail", pk=review.pk)


@require_POST
@role_required(*HR_ROLES)
def resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = ResolveForm(request.POST, indicators=review_quarterly_indicators(review=review), current={})
    if form.is_valid():
        user, reason = request.user, form.cleaned_data["reason"]
        try:
            if form.cleaned_data["decision"] == Decision.UPHOLD:
                services.review_appeal_uphold(review=review, reason=reason, user=user)
                messages.success(request, _("The appeal is resolved: the rating is upheld."))
            else:
                outcome = services.review_appeal_rescore(
                    review=review, ratings=form.ratings(), reason=reason, user=user
                )
                messages.success(request, _("The appeal is resolved: the rating is changed."))
                if outcome.reopened:
                    messages.warning(
                        request,
                        _(
                            "%(period)s was closed, so it has been reopened for the new rating: close it again on its cycle page."
                        )
                        % {"period": period_text(review.period)},
                    )
        except services.ReviewRefused as refused:
            return _refused(request, review, refused)
        except TableError as error:
            form.add_import_errors(error)
        else:
            return redirect("reviews:detail", pk=review.pk)
    return _detail(request, review, 400, resolve_form=form)


# --- a colleague's feedback -----------------------------------------------------------------------


@login_required
def feedback_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    feedback = get_object_or_404(feedback_requests_of(user=request.user), pk=pk)
    form = FeedbackAnswerForm(request.POST or None, indicator=feedback.indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_feedback_answer(
                request=feedback,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                user=request.user,
            )
        except services.ReviewRefused as refused:
            refusal_show(refused, form=form)
        else:
            messages.success(request, _("Thank you: your rating is sent to the manager."))
            return redirect("reviews:feedback")
    row = feedback_request_row(request=feedback)
    return render(
        request,
        "reviews/feedback_answer.html",
        {"row": row, "form": form},
        status=400 if request.method == "POST" else 200,
    )
