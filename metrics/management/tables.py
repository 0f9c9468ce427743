"""What the import commands share (``import_metrics``, ``import_roster``): a table file read from
a path, and each refusal as a CommandError for the person at the terminal."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from plans.tabular import Table, TableError, table_read

T = TypeVar("T")


def table_file_import(path: Path, importer: Callable[[Table], T]) -> T:
    """What ``importer`` makes of the table file at ``path``; a file that cannot be read, or that
    is refused (nothing of it saved), is a CommandError that says why."""
    try:
        return importer(table_read(path.read_bytes()))
    except OSError as error:
        raise CommandError(str(error)) from error
    except TableError as error:
        raise CommandError(
            _("%(path)s was not imported; nothing was saved:") % {"path": path} + "\n" + "\n".join(error.messages)
        ) from error
