"""The webhooks' pages: HR and admins register, change, disable and delete hooks, read each
hook's delivery log, re-send a delivery and send a test event."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from metrics.webhooks.forms import WebhookForm
from metrics.webhooks.models import Webhook, WebhookDelivery
from metrics.webhooks.selectors import delivery_page, webhook_list, webhook_page
from metrics.webhooks.services import (
    WebhookRefused,
    delivery_resend,
    webhook_create,
    webhook_delete,
    webhook_secret_rotate,
    webhook_test_send,
    webhook_update,
)
from metrics.webhooks.tasks import delivery_enqueue
from people.access import HR_ROLES, AuthenticatedHttpRequest, role_required
from plans.refusals import refusal_show


def hook_url(pk: int) -> str:
    return reverse("metrics:webhook", args=[pk])


@role_required(*HR_ROLES)
@require_GET
def webhook_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "metrics/webhooks_list.html", {"hooks": webhook_list()})


@role_required(*HR_ROLES)
def webhook_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hook = webhook_create(name=data["name"], url=data["url"], events=data["events"], user=request.user)
        except WebhookRefused as refused:
            refusal_show(refused, form=form)
        else:
            messages.success(
                request,
                _("The hook %(name)s is registered. Give its secret to the receiver, to check each signature.")
                % {"name": hook.name},
            )
            return redirect(f"{hook_url(hook.pk)}?secret=shown")
    return render(request, "metrics/webhook_form.html", {"form": form, "hook": None})


@role_required(*HR_ROLES)
@require_GET
def webhook_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook.objects.select_related("created_by"), pk=pk)
    data = webhook_page(webhook=hook, page=request.GET.get("page"))
    return render(
        request, "metrics/webhook_detail.html", {"hook": data, "secret_open": request.GET.get("secret") == "shown"}
    )


@role_required(*HR_ROLES)
def webhook_update_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    form = WebhookForm(request.POST or None, webhook=hook)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            webhook_update(
                webhook=hook, name=data["name"], url=data["url"], events=data["events"], active=data["active"]
            )
        except WebhookRefused as refused:
            refusal_show(refused, form=form)
        else:
            messages.success(request, _("The hook %(name)s is saved.") % {"name": hook.name})
            return redirect("metrics:webhook", pk=hook.pk)
    return render(request, "metrics/webhook_form.html", {"form": form, "hook": hook})


@role_required(*HR_ROLES)
def webhook_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    if request.method == "POST":
        name = hook.name
        webhook_delete(webhook=hook)
        messages.success(request, _("The hook %(name)s and its log are deleted.") % {"name": name})
        return redirect("metrics:webhooks")
    return render(request, "metrics/webhook_delete.html", {"hook": hook})


@role_required(*HR_ROLES)
@require_POST
def webhook_secret_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    webhook_secret_rotate(webhook=hook)
    messages.success(
        request, _("A new secret is made: give it to the receiver; from now on every delivery is signed with it.")
    )
    return redirect(f"{hook_url(hook.pk)}?secret=shown")


@role_required(*HR_ROLES)
@require_POST
def webhook_test_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    webhook_test_send(webhook=hook, user=request.user, enqueue=delivery_enqueue)
    messages.success(request, _("A test event is on its way to %(name)s: its delivery is below.") % {"name": hook.name})
    return redirect("metrics:webhook", pk=hook.pk)


@role_required(*HR_ROLES)
@require_GET
def delivery_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), pk=pk)
    return render(request, "metrics/webhook_delivery.html", {"data": delivery_page(delivery=delivery)})


@role_required(*HR_ROLES)
@require_POST
def delivery_resend_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), pk=pk)
    try:
        delivery_resend(delivery=delivery, user=request.user, enqueue=delivery_enqueue)
    except WebhookRefused as refused:
        refusal_show(refused, request=request)
    else:
        messages.success(request, _("The event is sent again, as a new delivery: see the top of the log."))
    return redirect("metrics:webhook", pk=delivery.webhook_id)
