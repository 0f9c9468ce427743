"""The one error type of the product: a refusal, with the messages that say what and where.

Pure code, standard library only, so that the scoring core raises it too. Each service's own
error (``TableError``, ``CloseRefused``, ``ReviewRefused``…) is an ``ApplicationError``, and a
view shows any of them the same way (``plans.refusals.refusal_show``). It is a ``ValueError``:
a URL converter's refusal is one, which Django turns into a 404.
"""

from collections.abc import Sequence


class ApplicationError(ValueError):
    """A refusal; ``messages`` are in the user's language, one problem each, never empty."""

    def __init__(self, messages: str | Sequence[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))

    @property
    def message(self) -> str:
        """The messages as one text, a line each: what a command prints or a single-line page shows."""
        return "\n".join(self.messages)
