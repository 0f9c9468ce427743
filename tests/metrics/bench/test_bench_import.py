"""bench_import prints its figures and leaves the database as it found it."""

import io

from django.core.management import call_command

from metrics.figures.models import MetricChange, MetricEntry
from people.models import User


def test_it_reads_imports_and_rolls_back(db: None) -> None:
    out = io.StringIO()
    call_command("bench_import", rows=30, stdout=out)
    text = out.getvalue()
    assert "XLSX claiming A1:XFD1048576" in text and "30 rows: read in" in text
    assert "GB18030 CSV" in text
    assert "metrics_import of 30 rows (new figures: 120 new, 0 changed)" in text
    assert "metrics_import of 30 rows (changed figures: 0 new, 30 changed)" in text
    assert not User.objects.exists() and not MetricEntry.objects.exists() and not MetricChange.objects.exists()
