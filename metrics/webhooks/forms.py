"""The form of a hook: its name, address, events and, once registered, whether it is on."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.webhooks.models import SUBSCRIBABLE, URL_MAX_LENGTH, Webhook


class WebhookForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the receiver is, e.g. the payroll system."),
        error_messages={"required": _("Give the hook a name, so that HR knows what it is for.")},
    )
    # A text field: the services say what is wrong with an address (https, the loopback).
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=URL_MAX_LENGTH,
        help_text=_("Where the events are sent, starting with https://."),
        error_messages={"required": _("Enter a whole web address, starting with https://.")},
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(e.value, e.label) for e in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one event."),
            "invalid_choice": _("Choose events from the list."),
        },
    )
    active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("A disabled hook receives nothing.")
    )

    def __init__(self, data: Mapping[str, Any] | None = None, *, webhook: Webhook | None = None) -> None:
        initial = None
        if webhook is not None:
            initial = {"name": webhook.name, "url": webhook.url, "events": webhook.events, "active": webhook.active}
        super().__init__(data, initial=initial)
        if webhook is None:
            del self.fields["active"]
