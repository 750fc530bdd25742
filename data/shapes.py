"""Shaping of small aggregate results into chart tables and legacy JSON structures: plain Python for the API's
rows, pandas where a page's chart table is a DataFrame."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

UNITS = {"contacts": "Contacts", "visites": "Visites"}
GRANULARITIES = {"jour": "D", "semaine": "W-MON", "mois": "MS"}


def known_unit(unit: object) -> str:
    """``unit`` if it is one of ``UNITS``, else contacts (a forged callback value is not an error to log)."""
    return unit if isinstance(unit, str) and unit in UNITS else "contacts"


def known_granularity(granularity: object) -> str:
    """``granularity`` if it is one of ``GRANULARITIES``, else the week."""
    return granularity if isinstance(granularity, str) and granularity in GRANULARITIES else "semaine"


def parent_table(levels: pd.DataFrame, catalogue: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Every parent code of the catalogue (zeros included) with its label and count: ``code, libelle, n``.

    Codes found in the data but missing from the catalogue are kept, labelled by their code.
    """
    parents = levels["code"].isna()
    counts = dict(zip(levels.loc[parents, "code_parent"], levels.loc[parents, unit], strict=True))
    codes = list(catalogue["code"])
    labels = list(catalogue["libelle"])
    extra = sorted(set(counts) - set(codes))
    return pd.DataFrame(
        {
            "code": codes + extra,
            "libelle": labels + extra,
            "n": pd.Series([_int(counts.get(code)) for code in codes + extra], dtype="int64"),
        }
    )


def _int(value: Any) -> int:
    """A count, 0 for a missing one (None or NaN)."""
    return 0 if value is None or value != value else int(value)


def child_table(levels: pd.DataFrame, labels: dict[str, str], parent: str | None, unit: str) -> pd.DataFrame:
    """Children of one parent (or of all parents) with a count: ``code_parent, code, libelle, n``."""
    rows = levels[levels["code"].notna()]
    if parent is not None:
        rows = rows[rows["code_parent"] == parent]
    table = rows[["code_parent", "code"]].copy()
    table["libelle"] = [labels.get(code, code) for code in table["code"]]
    table["n"] = rows[unit].astype("int64").to_numpy()
    return table.sort_values(["libelle", "code"]).reset_index(drop=True)


def timeline_table(
    days: pd.DataFrame, granularity: str, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Contacts and visits per day, week (from Monday) or month, periods without visits at 0.

    The calendar runs from ``start`` (else the first day with data) to ``end`` (else the last).
    """
    if days.empty and (start is None or end is None):
        return pd.DataFrame({"periode": pd.to_datetime([]), "contacts": [], "visites": []})
    first = pd.Timestamp(start) if start else days["jour"].min()
    last = pd.Timestamp(end) if end else days["jour"].max()
    calendar = pd.date_range(first, last, freq="D")
    series = days.set_index("jour")[["contacts", "visites"]].reindex(calendar, fill_value=0)
    if granularity != "jour":
        rule = GRANULARITIES[granularity]
        series = series.resample(rule, label="left", closed="left").sum()
    out = series.rename_axis("periode").reset_index()
    out[["contacts", "visites"]] = out[["contacts", "visites"]].astype("int64")
    return out


def nest(parents: Any, children: Any, keys: dict[str, str]) -> list[dict[str, Any]]:
    """Legacy nested lists: one item per parent (zeros kept) with its non-zero children.

    ``parents`` holds ``code, libelle, n`` and ``children`` ``code_parent, code, libelle, n``: DataFrames, or
    rows (tuples) in that order. ``keys`` names the legacy JSON keys: parent_code, parent_label, parent_total,
    children, child_code, child_label, child_parent_code, child_parent_label, child_count. Plain Python.
    """
    kids: dict[Any, list[tuple[Any, Any, int]]] = {}
    for parent_code, code, label, count in _tuples(children, ("code_parent", "code", "libelle", "n")):
        if count > 0:
            kids.setdefault(parent_code, []).append((code, label, int(count)))
    rows = sorted(_tuples(parents, ("code", "libelle", "n")), key=lambda r: (r[1], r[0]))
    return [
        {
            keys["parent_code"]: code,
            keys["parent_label"]: label,
            keys["parent_total"]: int(total),
            keys["children"]: [_child_item(kid, code, label, keys) for kid in kids.get(code, [])],
        }
        for code, label, total in rows
    ]


def _tuples(rows: Any, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Rows as tuples of ``columns``: a DataFrame's columns zipped, or the rows themselves."""
    if isinstance(rows, pd.DataFrame):
        return list(zip(*(rows[column] for column in columns), strict=True))
    return list(rows)


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


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready records: numpy scalars to Python, timestamps to ISO dates."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    records: Any = out.to_dict(orient="records")
    return [{key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()} for row in records]
