"""How a flag reads: the one function every page, export for people and message goes through.

A result's flags are codes (SPEC.md: a band's ``flag``, the streak's ``flag``, ``incomplete`` of a
forced close). People read words: the plan's own label of the code when the plan gives one, else
the product's words for its own flags, else the code as the plan wrote it.
"""

from collections.abc import Iterable, Mapping

from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy

from plans.scoring import INCOMPLETE_FLAG

# The flags the product itself knows (the seed plan's band and streak flags, a forced close's).
PRODUCT_FLAGS: Mapping[str, "StrPromise"] = {
    INCOMPLETE_FLAG: gettext_lazy("Incomplete"),
    "calibrated": gettext_lazy("Calibrated"),
    "promotion_candidate": gettext_lazy("Promotion candidate"),
    "warning": gettext_lazy("Warning"),
}


def flag_text(code: str, labels: Mapping[str, str] | None = None) -> str:
    """One flag in words: the plan's label of ``code``, the product's words for it, or the code."""
    if labels:
        label = labels.get(code, "").strip()
        if label:
            return label
    known = PRODUCT_FLAGS.get(code)
    return str(known) if known is not None else code


def flag_texts(codes: Iterable[str], labels: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Several flags in words, in the order of their codes (as the exports sort them)."""
    return tuple(flag_text(code, labels) for code in sorted(codes))
