"""The Visites area as tables: what the page charts and what the API (v1 and legacy ``/data``) returns."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data import side_by_side
from data.metrics import codes, periods, shapes, visites
from data.metrics.filters import VISIT_FIELDS, VISIT_V1_FIELDS, Filters
from data.metrics.scope import Scope

#: The filters this area accepts (API): the sidebar's.
FIELDS = VISIT_FIELDS
#: The v1 route's: the sidebar's and the cross-filters a click on a chart sets.
V1_FIELDS = VISIT_V1_FIELDS
TYPES = (("HOPL", "non_planifiees"), ("PLAN", "planifiees"))
#: Legacy counter dimensions: (frame column or split prefix, ((value, legacy label), ...)).
DIMENSIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "type_partenaire": ("split", (("MEDE", "medicales"), ("PHAR", "pharmaceutiques"))),
    "etablissement": ("split", (("ETPR", "privees"), ("ETPU", "publiques"))),
    "forme": ("type_visite", (("G", "groupe"), ("S", "simple"))),
    "accompagnement": ("flag_accompagnee", (("N", "indiviuel"), ("O", "en_double"))),
}
DIMENSION_LABELS = {
    "type_partenaire": codes.TYPE_PARTENAIRE,
    "etablissement": codes.TYPE_ETABLISSEMENT,
    "forme": codes.FORME_VISITE,
    "accompagnement": codes.ACCOMPAGNEMENT,
}
REGION_KEYS = {
    "parent_code": "code_region_partenaire", "parent_label": "region", "parent_total": "nb_visites_total",
    "children": "ville", "child_code": "code_ville_partenaire", "child_parent_code": "code_region_partenaire",
    "child_label": "ville", "child_parent_label": "region", "child_count": "nb_visites",
    "child_parent_first": "1",
}  # fmt: skip
GAMME_KEYS = {
    "parent_code": "code_gamme", "parent_label": "gamme", "parent_total": "nbr_total_visites",
    "children": "specialites", "child_code": "code_specialite", "child_parent_code": "code_gamme",
    "child_label": "specialite", "child_parent_label": "gamme", "child_count": "nb_visites_total",
}  # fmt: skip


def _records(counters: Any) -> list[dict[str, Any]]:
    """Counter rows as dicts: from ``visites.counter_rows`` (tuples) or a ``visites.counters`` DataFrame."""
    if isinstance(counters, pd.DataFrame):
        return [
            dict(zip(visites.COUNTER_COLUMNS, row, strict=True))
            for row in counters[visites.COUNTER_COLUMNS].itertuples(index=False)
        ]
    return [dict(zip(visites.COUNTER_COLUMNS, row, strict=True)) for row in counters]


def _count(rows: list[dict[str, Any]], type_code: str, dimension: str, value: str, unit: str) -> int:
    """Contacts or visits of one visit type and one value of a dimension."""
    column, _ = DIMENSIONS[dimension]
    if column == "split":
        return sum(int(row[f"{unit}_{value}"]) for row in rows if row["code_type_visite"] == type_code)
    return sum(int(row[unit]) for row in rows if row["code_type_visite"] == type_code and row[column] == value)


def counters(frame: Any, unit: str = "contacts") -> dict[str, int]:
    """The 18 legacy counters, in the legacy order (``contacts``: the legacy unit), from counter rows."""
    rows = _records(frame)
    out = {
        f"nbr_total_visites_{label}": sum(int(row[unit]) for row in rows if row["code_type_visite"] == code)
        for code, label in TYPES
    }
    for dimension, (_, values) in DIMENSIONS.items():
        for type_code, type_label in TYPES:
            for value, label in values:
                out[f"nbr_visites_{label}_{type_label}"] = _count(rows, type_code, dimension, value, unit)
    return out


def dimension_table(frame: Any, dimension: str, unit: str) -> pd.DataFrame:
    """One counter chart: ``code``, ``categorie``, ``Planifiées``, ``Non planifiées``, ``Total`` (in ``unit``)."""
    records = _records(frame)
    rows = []
    for value, _ in DIMENSIONS[dimension][1]:
        counts = {codes.TYPE_VISITE[t]: _count(records, t, dimension, value, unit) for t, _ in TYPES[::-1]}
        rows.append({"code": value, "categorie": DIMENSION_LABELS[dimension][value], **counts})
    table = pd.DataFrame(rows)
    table["Total"] = table["Planifiées"] + table["Non planifiées"]
    return table


def kpis(frame: Any) -> dict[str, int]:
    """Headline numbers: contacts, distinct visits, planned/unplanned visits, group and accompanied visits."""
    rows = _records(frame)

    def total(unit: str, column: str | None = None, value: str | None = None) -> int:
        return sum(int(row[unit]) for row in rows if column is None or row[column] == value)

    return {
        "contacts": total("contacts"),
        "visites": total("visites"),
        "visites_planifiees": total("visites", "code_type_visite", "PLAN"),
        "visites_non_planifiees": total("visites", "code_type_visite", "HOPL"),
        "visites_groupe": total("visites", "type_visite", "G"),
        "visites_en_double": total("visites", "flag_accompagnee", "O"),
    }


UNIT_INDEX = {"contacts": 2, "visites": 3}


def _levels(levels: list[tuple[Any, ...]], parent_type: str, child_type: str, unit: str) -> tuple[list, list]:
    """(parents ``(code, libelle, n)``, children ``(code_parent, code, libelle, n)``) in plain rows."""
    catalogue = [(code, label) for code, label, _ in codes.catalogue(parent_type)]
    index = UNIT_INDEX[unit]
    return shapes.parent_rows(levels, catalogue, index), shapes.child_rows(levels, codes.labels(child_type), index)


def region_levels(filters: Filters, scope: Scope, unit: str) -> tuple[list, list]:
    """Every région with its count, every ville with its count and région (plain rows)."""
    return _levels(visites.region_rows(filters, scope), "REGI", "VILL", unit)


def gamme_levels(filters: Filters, scope: Scope, unit: str) -> tuple[list, list]:
    """Every gamme with its count, every spécialité with its count and gamme (plain rows)."""
    return _levels(visites.gamme_rows(filters, scope), "GAMM", "SPEC", unit)


def _frames(parents: list, children: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    parent_frame = pd.DataFrame(parents, columns=["code", "libelle", "n"]).astype({"n": "int64"})
    child_frame = pd.DataFrame(children, columns=["code_parent", "code", "libelle", "n"]).astype({"n": "int64"})
    return parent_frame, child_frame


def regions(filters: Filters, scope: Scope, unit: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every région with its count, every ville with its count and région): ``code, libelle, n`` (the page)."""
    return _frames(*region_levels(filters, scope, unit))


def gammes(filters: Filters, scope: Scope, unit: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every gamme with its count, every spécialité with its count and gamme): ``code, libelle, n`` (the page)."""
    return _frames(*gamme_levels(filters, scope, unit))


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /data`` body: 18 counters plus ``region`` and ``gammes``, all in contacts."""
    stats: dict[str, Any] = counters(visites.counter_rows(filters, scope))
    stats["region"] = shapes.nest(*region_levels(filters, scope, "contacts"), REGION_KEYS)
    stats["gammes"] = shapes.nest(*gamme_levels(filters, scope, "contacts"), GAMME_KEYS)
    return {"statistiques": stats}


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: the legacy structures in both units, the headline numbers and the daily series."""
    side_by_side.compute(
        (visites.counter_rows, (filters, scope)),
        (visites.gamme_rows, (filters, scope)),
        (visites.region_rows, (filters, scope)),
        (visites.calendar_rows, (filters, scope)),
        *periods.over_earlier(visites.kpi_rows_over, filters, scope),
    )
    rows = visites.counter_rows(filters, scope)
    days = visites.calendar_rows(filters, scope)
    return {
        "filtres": filters.to_dict(),
        "indicateurs": kpis(rows),
        **periods.compared_over(lambda spans: visites.kpi_rows_over(filters, scope, spans), filters),
        "statistiques": counters(rows, "contacts"),
        "statistiques_visites": counters(rows, "visites"),
        "region": shapes.nest(*region_levels(filters, scope, "contacts"), REGION_KEYS),
        "region_visites": shapes.nest(*region_levels(filters, scope, "visites"), REGION_KEYS),
        "gammes": shapes.nest(*gamme_levels(filters, scope, "contacts"), GAMME_KEYS),
        "gammes_visites": shapes.nest(*gamme_levels(filters, scope, "visites"), GAMME_KEYS),
        "evolution": [
            {"jour": day.isoformat(), "contacts": contacts, "visites": visits_} for day, contacts, visits_ in days
        ],
    }
