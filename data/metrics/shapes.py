"""Shaping of small aggregate rows into chart tables and legacy JSON structures, in plain Python."""

from __future__ import annotations

import datetime as dt
from typing import Any

UNITS = {"contacts": "Contacts", "visites": "Visites"}
GRANULARITIES = ("jour", "semaine", "mois")


def known_unit(unit: object) -> str:
    """``unit`` if it is one of ``UNITS``, else visits (a forged callback value is not an error to log)."""
    return unit if isinstance(unit, str) and unit in UNITS else "visites"


def known_granularity(granularity: object) -> str:
    """``granularity`` if it is one of ``GRANULARITIES``, else the week."""
    return granularity if isinstance(granularity, str) and granularity in GRANULARITIES else "semaine"


Rows = list[tuple[Any, ...]]


def nest(parents: Rows, children: Rows, keys: dict[str, str]) -> list[dict[str, Any]]:
    """Legacy nested lists: one item per parent (zeros kept) with its non-zero children.

    ``parents`` holds ``(code, libelle, n)`` rows and ``children`` ``(code_parent, code, libelle, n)`` rows;
    ``keys`` names the legacy JSON keys: parent_code, parent_label, parent_total, children, child_code,
    child_label, child_parent_code, child_parent_label, child_count.
    """
    kids: dict[Any, list[tuple[Any, Any, int]]] = {}
    for parent_code, code, label, count in children:
        if count > 0:
            kids.setdefault(parent_code, []).append((code, label, int(count)))
    rows = sorted(parents, key=lambda r: (r[1], r[0]))
    return [
        {
            keys["parent_code"]: code,
            keys["parent_label"]: label,
            keys["parent_total"]: int(total),
            keys["children"]: [_child_item(kid, code, label, keys) for kid in kids.get(code, [])],
        }
        for code, label, total in rows
    ]


def parent_rows(levels: list[tuple[Any, ...]], catalogue: list[tuple[str, str]], unit: int) -> list[tuple[Any, ...]]:
    """Plain ``parent_table``: every parent code of ``catalogue`` (``(code, libelle)`` in order, zeros
    included), then codes found only in the data (labelled by their code): ``(code, libelle, n)``.

    ``levels`` rows are ``(code_parent, code, *counts)``, parent rows having ``code`` None; ``unit`` indexes
    the count in a row."""
    counts = {row[0]: row[unit] for row in levels if row[1] is None}
    known = [code for code, _ in catalogue]
    extra = sorted(set(counts) - set(known))
    return [(code, label, int(counts.get(code) or 0)) for code, label in [*catalogue, *((e, e) for e in extra)]]


def child_rows(levels: list[tuple[Any, ...]], labels: dict[str, str], unit: int) -> list[tuple[Any, ...]]:
    """Plain ``child_table``: ``(code_parent, code, libelle, n)`` of every child row, by label then code."""
    rows = [(row[0], row[1], labels.get(row[1], row[1]), int(row[unit])) for row in levels if row[1] is not None]
    return sorted(rows, key=lambda row: (row[2], row[1]))


def calendar_rows(
    days: list[tuple[dt.date, int, int]], granularity: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[tuple[dt.date, int, int]]:
    """Plain ``timeline_table``: ``(periode, contacts, visites)`` per day, week (from Monday) or month from
    ``start`` (else the first day with data) to ``end`` (else the last), periods without visits at 0."""
    if not days and (start is None or end is None):
        return []
    first, last = start or days[0][0], end or days[-1][0]
    counts = {day: (contacts, visits) for day, contacts, visits in days}
    out: dict[dt.date, list[int]] = {}
    day, one = first, dt.timedelta(days=1)
    while day <= last:
        if granularity == "jour":
            key = day
        elif granularity == "semaine":
            key = day - dt.timedelta(days=day.weekday())
        else:
            key = day.replace(day=1)
        contacts, visits = counts.get(day, (0, 0))
        total = out.setdefault(key, [0, 0])
        total[0] += contacts
        total[1] += visits
        day += one
    return [(key, contacts, visits) for key, (contacts, visits) in out.items()]


def _child_item(kid: tuple[Any, Any, int], parent_code: str, parent_label: str, keys: dict[str, str]) -> dict[str, Any]:
    """One child (code, label, count) of a legacy nested list, keys in the legacy order."""
    code, label, count = kid
    item = {keys["child_code"]: code}
    if keys.get("child_parent_first"):
        item[keys["child_parent_code"]] = parent_code
    item[keys["child_label"]] = label
    item[keys["child_parent_label"]] = parent_label
    if not keys.get("child_parent_first"):
        item[keys["child_parent_code"]] = parent_code
    item[keys["child_count"]] = count
    return item
