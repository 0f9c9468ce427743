from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """The benchmarks: their data and their commands, out of the product's code paths."""

    name = "metrics.bench"
    label = "bench"
    verbose_name = _("Benchmarks")
