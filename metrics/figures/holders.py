"""Who else holds a figure: the rooms above that own some figures register here (SPEC.md section 7,
"Who owns a value").

Figures sit below the rooms that use them, so they cannot ask those rooms directly. A room that
owns some figures (the quarterly review owns the ratings it holds) registers a lookup when Django
starts (``AppConfig.ready``); every save asks the lookups and refuses a holder's figures to
anyone but that holder.
"""

from collections.abc import Callable, Set
from datetime import datetime
from typing import Protocol


class Holder(Protocol):
    """What a save needs of a holder: which one it is, and since when it holds the figures."""

    @property
    def pk(self) -> int: ...

    @property
    def created_at(self) -> datetime: ...


# (employee user name, quarter) pairs -> the holder of that employee's quarterly ratings of the quarter.
HolderLookup = Callable[[Set[tuple[str, str]]], dict[tuple[str, str], Holder]]

_lookups: list[HolderLookup] = []


def holders_register(lookup: HolderLookup) -> None:
    if lookup not in _lookups:
        _lookups.append(lookup)


def quarterly_holders(*, quarters: Set[tuple[str, str]], writer: Holder | None) -> dict[tuple[str, str], Holder]:
    """The holders of the quarterly ratings of these (employee, quarter) pairs, but ``writer`` itself."""
    if not quarters:
        return {}
    found: dict[tuple[str, str], Holder] = {}
    for lookup in _lookups:
        found.update(lookup(quarters))
    return {key: holder for key, holder in found.items() if writer is None or holder.pk != writer.pk}
