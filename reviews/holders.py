"""The quarterly review holds the ratings it rates: figures ask here who holds them."""

from collections.abc import Set

from metrics.figures.holders import Holder
from reviews.models import Review


def review_holders(quarters: Set[tuple[str, str]]) -> dict[tuple[str, str], Holder]:
    """The review of each (employee user name, quarter) pair that has one."""
    reviews = Review.objects.filter(
        employee__username__in={employee for employee, _period in quarters},
        period__in={period for _employee, period in quarters},
    ).select_related("employee")
    return {
        (review.employee.username, str(review.period)): review
        for review in reviews
        if (review.employee.username, str(review.period)) in quarters
    }
