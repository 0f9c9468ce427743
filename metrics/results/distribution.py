"""How a period's bands are shared against each plan's distribution guideline (SPEC.md section 10).

A guideline is shown, never enforced: the cycle page and the dashboard list where a period's
current results break it, per plan version and per department; the calibration board shows
every band while HR moves people. Two queries whatever the number of people.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from metrics.results.models import Result
from plans.models import Band, PlanVersion
from plans.periods import Period
from plans.selectors import distribution_rules

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


class Breach:
    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True)
class BandShare:
    band: str
    count: int
    share: Decimal  # percent of the group, to 1 decimal
    minimum: Decimal | None  # the guideline's, in percent
    maximum: Decimal | None
    breach: str  # a Breach, or "" within the guideline (or none given)


@dataclass(frozen=True)
class DistributionGroup:
    version_id: int
    plan: str  # "客户管理员绩效方案 v2"
    department: str  # "" for everybody on the plan
    total: int
    bands: tuple[BandShare, ...]  # every band of the plan, best first

    @property
    def breaches(self) -> tuple[BandShare, ...]:
        return tuple(share for share in self.bands if share.breach)


def _share(band: str, count: int, total: int, minimum: Decimal | None, maximum: Decimal | None) -> BandShare:
    exact = Decimal(count) * HUNDRED / total if total else Decimal(0)
    breach = ""
    if total and maximum is not None and exact > maximum:
        breach = Breach.ABOVE
    elif total and minimum is not None and exact < minimum:
        breach = Breach.BELOW
    return BandShare(
        band=band,
        count=count,
        share=exact.quantize(TENTH, rounding=ROUND_HALF_UP),
        minimum=minimum,
        maximum=maximum,
        breach=breach,
    )


def period_distribution(
    *, period: Period, calibrated_only: bool = False, by_department: bool = True
) -> list[DistributionGroup]:
    """The share of each band among the period's current results, for every plan version that has
    a guideline (or, ``calibrated_only``, that is calibrated): each version as a whole, then each
    of its departments."""
    current = Result.objects.filter(period=str(period), superseded_at__isnull=True)
    versions = PlanVersion.objects.filter(pk__in=current.order_by().values("version_id")).select_related("template")
    versions = versions.filter(calibration=True) if calibrated_only else versions.exclude(distribution=[])
    versions_by_id = {version.pk: version for version in versions.order_by("template__name", "number")}
    if not versions_by_id:
        return []
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for version_id, department, band, count in (
        current.filter(version_id__in=versions_by_id)
        .order_by()
        .values_list("version_id", "employee__department__name", "band")
        .annotate(n=Count("pk"))
    ):
        for key in ((version_id, ""), (version_id, department or "")) if by_department else ((version_id, ""),):
            group = counts.setdefault(key, {})
            group[band] = group.get(band, 0) + count
    labels: dict[int, list[str]] = {pk: [] for pk in versions_by_id}
    for version_id, label in (
        Band.objects.filter(version_id__in=versions_by_id).order_by("-min").values_list("version_id", "label")
    ):
        labels[version_id].append(label)
    groups = []
    for (version_id, department), bands in sorted(counts.items(), key=lambda item: (
        list(versions_by_id).index(item[0][0]), item[0][1] != "", item[0][1]
    )):  # fmt: skip
        version = versions_by_id[version_id]
        guideline = {rule.band: rule for rule in distribution_rules(version=version)}
        total = sum(bands.values())
        shown = labels[version_id] + sorted(set(bands) - set(labels[version_id]))  # "" (no band) last
        groups.append(
            DistributionGroup(
                version_id=version_id,
                plan=f"{version.name} v{version.number}",
                department=department,
                total=total,
                bands=tuple(
                    _share(
                        label,
                        bands.get(label, 0),
                        total,
                        guideline[label].minimum if label in guideline else None,
                        guideline[label].maximum if label in guideline else None,
                    )
                    for label in shown
                ),
            )
        )
    return groups


def distribution_breaches(*, period: Period) -> list[DistributionGroup]:
    """The groups of ``period_distribution`` that break their plan's guideline."""
    return [group for group in period_distribution(period=period) if group.breaches]
