"""How fresh the served data is, from the refresh status file: one reading for the footer and ``/health``.

The status file says what the last refresh did; it cannot say that no refresh ran at all (a hung job, a disk
too full to write the status, no refresher alive). So the data's age is judged too: after ``STALE_PERIODS``
refresh periods (and at least a minute more than one) without a successful read of the CRM, the refresh is
called failing whatever the file says.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

#: What an operator reads in ``/health`` (``cause``) for each kind of failure (never the driver's text).
CAUSES = (
    (("No space left", "Disk full", "disque plein"), "disque plein"),
    (("deadline", "killed after", "timed out", "TimeoutError", "timeout"), "la base CRM ne répond pas (délai dépassé)"),
    (("refused", "Can't connect", "Unknown MySQL server host", "unable to open"), "base CRM injoignable"),
    (("lock",), "une autre actualisation bloque la réplique"),
)


@dataclasses.dataclass(frozen=True)
class Freshness:
    """The served data's freshness: when the CRM was last read, and whether refreshing is failing."""

    checked_at: dt.datetime | None  # the last successful read of the CRM
    age_seconds: float | None
    failed_at: dt.datetime | None  # the last failed refresh, if the last one failed
    stale: bool  # no successful refresh for STALE_PERIODS periods
    cause: str | None  # French, for operators and the footer

    @property
    def failing(self) -> bool:
        """Is refreshing failing (the last refresh failed, or none succeeded for too long)?"""
        return self.failed_at is not None or self.stale


def of(
    status: dict[str, Any],
    built_at: str | None,
    period: float,
    periods: int,
    now: dt.datetime,
    *,
    source_down: bool = False,
) -> Freshness:
    """The freshness from a refresh ``status`` (``replica.status``), the version's ``built_at``, the refresh
    ``period`` in seconds (0: no background refresh, never stale) and the number of ``periods`` allowed. With
    ``source_down`` (the CRM does not answer) refreshing is failing at once, whatever a running job says."""
    checked = _time(status.get("checked_at") or built_at)
    age = (now - checked).total_seconds() if checked else None
    # A refresh takes its time too (a job starts, reads, writes): never stale within a minute of a period.
    stale = period > 0 and age is not None and age > max(periods * period, period + 60)
    failed = _time(status.get("failed_at")) if status.get("ok") is False else None
    if source_down and period > 0 and failed is None:
        failed = now
    cause = None
    if failed is not None or stale:
        error = str(status.get("error") or "") if status.get("ok") is False else ""
        cause = "base CRM injoignable" if source_down and not error else _cause(error)
        cause = cause or f"aucune actualisation réussie depuis {_minutes(age or 0)}"
    return Freshness(checked, age, failed, stale, cause)


def _cause(error: str) -> str | None:
    for needles, cause in CAUSES:
        if any(needle.lower() in error.lower() for needle in needles):
            return cause
    return "échec de l'actualisation" if error else None


def _minutes(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


def _time(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
