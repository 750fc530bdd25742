"""Callback values in the shape Dash's page sends them; any other shape raises ``BadInputError`` (a 400).

A callback request posted by hand may hold any JSON where the page puts a store's dict, a dropdown's list or a
drill store's code. These parsers say what each value must be; ``dashboard.hardening`` answers ``BadInputError``
with the French 400 of every malformed callback request, without the error banner or a trace in the log.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

#: The values a single-value component (dropdown, radio, number box) may hold.
SCALARS = (str, int, float)


class BadInputError(ValueError):
    """A callback value that Dash's page never sends; ``what`` names it for the log."""

    def __init__(self, what: str, value: Any) -> None:
        super().__init__(f"{what}: {_shown(value)}")
        self.what = what


def _shown(value: Any) -> str:
    """The start of ``value`` for the log (``repr`` gives up on very deep nesting)."""
    try:
        return repr(value)[:200]
    except RecursionError:
        return "(nested too deeply)"


def mapping(value: Any, what: str) -> dict[str, Any]:
    """A store's dict (``{}`` while the store is not set)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadInputError(what, value)
    return value


def codes(value: Any, what: str) -> list[str]:
    """A multi-select dropdown's value: a list of texts (``[]`` while nothing is chosen)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadInputError(what, value)
    return value


def text(value: Any, what: str) -> str | None:
    """A text or ``None`` (a drill store's chosen code: ``None`` at the top level; a query string; a date)."""
    if value is not None and not isinstance(value, str):
        raise BadInputError(what, value)
    return value


def path(value: Any, what: str) -> str | None:
    """A URL's path, as the browser gives it: a text that starts with ``/`` (or ``None``)."""
    if value is not None and not (isinstance(value, str) and value.startswith("/")):
        raise BadInputError(what, value)
    return value


def scalar(value: Any, what: str) -> Any:
    """A single-value dropdown's value: a text, a number or ``None``."""
    if value is not None and not isinstance(value, SCALARS):
        raise BadInputError(what, value)
    return value


def one_of(value: Any, choices: Collection[str], what: str) -> str:
    """A name among ``choices`` (the chart of a CSV button)."""
    if not isinstance(value, str) or value not in choices:
        raise BadInputError(what, value)
    return value


def parts(value: Any, what: str) -> list[Any]:
    """A dropdown's value as a list of its parts (a single value is one part); each a text or a number."""
    items = value if isinstance(value, list) else [value]
    if not all(item is None or isinstance(item, SCALARS) for item in items):
        raise BadInputError(what, value)
    return items
