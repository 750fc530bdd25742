"""The periods a KPI is compared with (issue 13): the previous period of the same length, and the same period one
year earlier.

A comparison needs a bounded period: a year, a month of a year, or both dates (intersected when several are
given). "Mois" alone (that month of every year), one date alone, or nothing at all is unbounded: no comparison.

* previous period: a calendar month's is the month before, a calendar year's the year before; any other period's
  is the same number of days, ending the day before it starts;
* one year earlier: the same days one year before (29 February becomes the 28th).

``compared`` runs an area's KPI function on both earlier periods, for the v1 bodies; ``compared_over`` gives the
same body from one function of both periods (one statement over the two slices instead of a pass per period);
the pages draw the same numbers (``pages._compare``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from data.metrics.filters import Filters


@dataclasses.dataclass(frozen=True)
class Period:
    """Inclusive days."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def to_dict(self) -> dict[str, str]:
        return {"start_date": self.start.isoformat(), "end_date": self.end.isoformat()}


def _month(year: int, month: int) -> Period:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return Period(first, following - dt.timedelta(days=1))


def bounds(filters: Filters) -> Period | None:
    """The period the filters name, or None when it is unbounded."""
    start, end = filters.start_date, filters.end_date
    if filters.annee is not None:
        whole = (
            _month(filters.annee, filters.mois)
            if filters.mois is not None
            else Period(dt.date(filters.annee, 1, 1), dt.date(filters.annee, 12, 31))
        )
        start = max(start, whole.start) if start else whole.start
        end = min(end, whole.end) if end else whole.end
    elif filters.mois is not None:
        return None
    if start is None or end is None or start > end:
        return None
    return Period(start, end)


def previous(filters: Filters) -> Period | None:
    """The previous period of the same length (a calendar month's or year's: the one before)."""
    period = bounds(filters)
    if period is None:
        return None
    if filters.periode in ("mois_en_cours", "mois_dernier") and period.start.day == 1:
        # a month so far (or a whole month): the same days of the month before (1–29 November: 1–29 October)
        end = period.start - dt.timedelta(days=1)
        return Period(end.replace(day=1), end.replace(day=min(period.end.day, end.day)))
    dated = filters.start_date is not None or filters.end_date is not None
    if filters.annee is not None and not dated:
        if filters.mois is not None:
            year, month = (filters.annee, filters.mois - 1) if filters.mois > 1 else (filters.annee - 1, 12)
            return _month(year, month)
        return Period(dt.date(filters.annee - 1, 1, 1), dt.date(filters.annee - 1, 12, 31))
    end = period.start - dt.timedelta(days=1)
    return Period(end - dt.timedelta(days=period.days - 1), end)


def year_earlier(filters: Filters) -> Period | None:
    """The same days one year earlier."""
    period = bounds(filters)
    return None if period is None else Period(_minus_year(period.start), _minus_year(period.end))


def _minus_year(day: dt.date) -> dt.date:
    """The same day one year earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def over(filters: Filters, period: Period) -> Filters:
    """The same filters over ``period`` instead of their own."""
    return filters.replace(annee=None, mois=None, periode=None, start_date=period.start, end_date=period.end)


def compared(kpis: Callable[[Filters], dict[str, Any]], filters: Filters) -> dict[str, Any]:
    """The v1 keys ``precedent`` and ``annee_precedente``: each earlier period's days and KPIs (``None`` when
    the period is unbounded)."""
    out: dict[str, Any] = {}
    for key, period in (("precedent", previous(filters)), ("annee_precedente", year_earlier(filters))):
        out[key] = None if period is None else {**period.to_dict(), "indicateurs": kpis(over(filters, period))}
    return out


def compared_over(kpis_over: Callable[[tuple[Period, ...]], list[dict[str, Any]]], filters: Filters) -> dict[str, Any]:
    """``compared``, with the KPIs of both earlier periods from one call: ``kpis_over(spans)`` gives the KPIs of
    each span (an area's statements over the spans in one pass). The same period twice (a year's) is asked once."""
    earlier = {"precedent": previous(filters), "annee_precedente": year_earlier(filters)}
    spans = earlier_spans(filters)
    values = dict(zip(spans, kpis_over(spans) if spans else [], strict=True))
    return {
        key: None if period is None else {**period.to_dict(), "indicateurs": values[period]}
        for key, period in earlier.items()
    }


def earlier_spans(filters: Filters) -> tuple[Period, ...]:
    """The distinct earlier periods ``compared_over`` asks its KPIs over (none when the period is unbounded)."""
    return tuple(dict.fromkeys(p for p in (previous(filters), year_earlier(filters)) if p is not None))


def over_earlier(
    rows_over: Callable[[Filters, Any, tuple[Period, ...]], Any], filters: Filters, scope: Any
) -> list[tuple[Callable[..., Any], tuple[Any, ...]]]:
    """The call of an area's statement over the earlier spans (``rows_over(filters, scope, spans)``, what
    ``compared_over`` asks for), for ``data.side_by_side.compute``; none when the period is unbounded."""
    spans = earlier_spans(filters)
    return [(rows_over, (filters, scope, spans))] if spans else []


def change(current: float | None, earlier: float | None) -> float | None:
    """The relative change in %, 1 decimal (``None`` when either is missing or the earlier one is 0)."""
    if current is None or earlier is None or earlier == 0:
        return None
    return round(100 * (current - earlier) / abs(earlier), 1)


#: The sidebar's period presets (issue 13): URL value -> label. Each is resolved against the day it is used, so
#: that a bookmarked "mois en cours" follows the calendar.
PRESETS = {
    "mois_en_cours": "Mois en cours",
    "mois_dernier": "Mois dernier",
    "trimestre_en_cours": "Trimestre en cours",
    "depuis_janvier": "Depuis le 1er janvier",
    "12_derniers_mois": "12 derniers mois",
    "tout": "Tout",
}
#: Where the dashboard opens when a link names no period: never all time.
DEFAULT_PRESET = "mois_en_cours"


def preset(name: str, today: dt.date) -> Period | None:
    """The days of a preset on ``today`` (``tout``: None, no bounds); an unknown name raises ``KeyError``."""
    if name not in PRESETS:
        raise KeyError(name)
    if name == "mois_en_cours":
        return Period(today.replace(day=1), today)
    if name == "mois_dernier":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return Period(end.replace(day=1), end)
    if name == "trimestre_en_cours":
        return Period(dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    if name == "depuis_janvier":
        return Period(dt.date(today.year, 1, 1), today)
    if name == "12_derniers_mois":
        return Period(_minus_year(today) + dt.timedelta(days=1), today)
    return None
