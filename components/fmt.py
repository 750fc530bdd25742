"""French number and date formatting (``12 345``, ``23/11/2026``, ``12,5 %``)."""

from __future__ import annotations

import datetime as dt

THOUSANDS = " "
#: Plotly's ``layout.separators``: decimal mark then thousands separator.
PLOTLY_SEPARATORS = "," + THOUSANDS
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
MONTH_NAMES = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def number(value: float | int | None, decimals: int = 0) -> str:
    """``12345`` -> ``12 345``; ``1.5`` with one decimal -> ``1,5``; ``None`` -> ``–``."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", THOUSANDS)


def percent(part: float, whole: float, decimals: int = 1) -> str:
    """``part`` as a share of ``whole`` in French (``12,5 %``); ``–`` when ``whole`` is 0."""
    if not whole:
        return "–"
    return f"{number(100 * part / whole, decimals)} %"


def date(value: dt.date | None) -> str:
    """``2026-11-23`` -> ``23/11/2026``."""
    return "" if value is None else value.strftime("%d/%m/%Y")


def datetime(value: str | dt.datetime | None) -> str:
    """``2026-11-23T08:05:00`` -> ``23/11/2026 à 08:05``."""
    if value is None:
        return ""
    stamp = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return stamp.strftime("%d/%m/%Y à %H:%M")


def month(value: dt.date) -> str:
    """``2026-11-01`` -> ``nov. 2026``."""
    return f"{MONTHS[value.month - 1]} {value.year}"
