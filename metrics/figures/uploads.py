"""Uploaded figures files: a preview first, then its Apply, checked again (SPEC.md section 7).

Each preview is a row of its own with a token, so two tabs apply each their own file; it keeps
what every cell the file gives held when it was checked, so its Apply refuses the cells someone
changed since, as a stale grid does.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from metrics.figures.models import ChangeSource, UploadPreview
from metrics.figures.services import ImportOutcome, metrics_import
from people.models import User
from plans.periods import Period
from plans.tabular import table_read_upload

# Previews kept per user, and for how long: enough for a few tabs, bounded whatever happens.
PREVIEWS_KEPT = 5
PREVIEW_LIFETIME = timedelta(days=1)


def upload_preview_save(*, user: User, name: str, data: bytes, outcome: ImportOutcome) -> UploadPreview:
    """Keep a checked file (its dry run's ``outcome``) for its Apply; the oldest previews go."""
    preview = UploadPreview.objects.create(
        token=secrets.token_urlsafe(16),
        user=user,
        name=name[:255],
        data=data,
        expected=[[*key, text] for key, text in outcome.before.items()],
    )
    UploadPreview.objects.filter(user=user, created_at__lt=timezone.now() - PREVIEW_LIFETIME).delete()
    kept = UploadPreview.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)
    UploadPreview.objects.filter(user=user).exclude(pk__in=list(kept[:PREVIEWS_KEPT])).delete()
    return preview


def upload_preview_apply(*, preview: UploadPreview, user: User, employees: set[str] | None) -> ImportOutcome:
    """Import a previewed file, refusing the cells someone changed since the preview; the preview
    is used up when it applies."""
    expected = {(employee, period, column): text for employee, period, column, text in preview.expected}
    outcome = metrics_import(
        table=table_read_upload(name=preview.name, data=bytes(preview.data)),
        user=user,
        source=ChangeSource.UPLOAD,
        expected=expected,
        employees=employees,
    )
    preview.delete()
    return outcome


def upload_periods(periods: Iterable[str]) -> list[Period]:
    """The periods an applied file's rows were about, in calendar order (a quarter after its
    last month): where its figures are to be seen."""
    return sorted({Period.parse(text) for text in periods}, key=lambda period: (period.last_month(), period.is_quarter))
