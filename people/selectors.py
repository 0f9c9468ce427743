"""Reads of people: who a user may see, managers, a department's employees, and paging rows."""

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar, overload

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet

from people.models import Department, Role, User

M = TypeVar("M", bound=Model)


R = TypeVar("R")


class _Rows(Sequence[R], Generic[M, R]):
    """A queryset read a slice at a time and turned into rows: what a paginator pages through."""

    def __init__(self, queryset: QuerySet[M], row: Callable[[M], R], known: int | None = None) -> None:
        self.queryset, self.row, self.known = queryset, row, known

    def count(self) -> int:  # type: ignore[override]  # the paginator's count, in one query
        return self.queryset.count() if self.known is None else self.known

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> R: ...
    @overload
    def __getitem__(self, index: slice) -> list[R]: ...
    def __getitem__(self, index: int | slice) -> R | list[R]:
        if isinstance(index, slice):
            return [self.row(item) for item in self.queryset[index]]
        return self.row(self.queryset[index])


def rows_page(
    queryset: QuerySet[M], *, row: Callable[[M], R], number: str | int | None, per_page: int, count: int | None = None
) -> Page[R]:
    """Page ``number`` of ``queryset`` (ordered) as rows: two queries, the count and the page
    (one, when the caller knows the ``count`` already).

    A number that is no page (``abc``, ``-1``, ``99999``) gives the first or the last page."""
    return Paginator(_Rows(queryset, row, count), per_page).get_page(number)


def by_name(path: str = "") -> tuple[str, str]:
    """The order of every list of people: their names as a Chinese reader sorts them, by pinyin
    (``User.name_sort``), then by user name. ``path`` leads to the person from another model
    (``"employee__"``)."""
    return f"{path}name_sort", f"{path}username"


def sees_everyone(user: User) -> bool:
    """Whether ``user`` may see everybody's results (HR, admins)."""
    return user.is_superuser or user.role in (Role.HR, Role.ADMIN)


def people_visible(*, user: User) -> QuerySet[User]:
    """The people whose results ``user`` may see: everybody for HR, a manager's reports, oneself."""
    if sees_everyone(user):
        return User.objects.all()
    if user.role == Role.MANAGER:
        return User.objects.filter(Q(manager=user) | Q(pk=user.pk))
    return User.objects.filter(pk=user.pk)


def managers_all() -> QuerySet[User]:
    """Everybody who manages someone or has the manager role: the choices of the manager filter."""
    return User.objects.filter(Q(role=Role.MANAGER) | Q(reports__isnull=False)).distinct().order_by(*by_name())


def department_employees(*, department: Department) -> QuerySet[User]:
    """Whom assigning a department puts on a plan: its people with the employee role."""
    return department.members.filter(role=Role.EMPLOYEE).order_by("username")


def person_language(*, user: User) -> str:
    """The language the site speaks to ``user``: their own, or the site's (``LANGUAGE_CODE``)."""
    return user.language or settings.LANGUAGE_CODE
