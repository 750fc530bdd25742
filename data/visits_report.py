"""The Visites area as tables: what the page charts and what the API (v1 and legacy ``/data``) returns."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data import codes, shapes, visits
from data.filters import VISIT_FIELDS, Filters
from data.scope import Scope

#: The filters this area accepts (API): the sidebar's.
FIELDS = VISIT_FIELDS
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


def _count(frame: pd.DataFrame, type_code: str, dimension: str, value: str, unit: str) -> int:
    """Contacts or visits of one visit type and one value of a dimension."""
    rows = frame[frame["code_type_visite"] == type_code]
    column, _ = DIMENSIONS[dimension]
    if column == "split":
        return int(rows[f"{unit}_{value}"].sum())
    return int(rows.loc[rows[column] == value, unit].sum())


def counters(frame: pd.DataFrame, unit: str = "contacts") -> dict[str, int]:
    """The 18 legacy counters, in the legacy order (``contacts``: the legacy unit)."""
    out = {
        f"nbr_total_visites_{label}": int(frame.loc[frame["code_type_visite"] == code, unit].sum())
        for code, label in TYPES
    }
    for dimension, (_, values) in DIMENSIONS.items():
        for type_code, type_label in TYPES:
            for value, label in values:
                out[f"nbr_visites_{label}_{type_label}"] = _count(frame, type_code, dimension, value, unit)
    return out


def dimension_table(frame: pd.DataFrame, dimension: str, unit: str) -> pd.DataFrame:
    """One counter chart: ``categorie``, ``Planifiées``, ``Non planifiées``, ``Total`` (in ``unit``)."""
    rows = []
    for value, _ in DIMENSIONS[dimension][1]:
        counts = {codes.TYPE_VISITE[t]: _count(frame, t, dimension, value, unit) for t, _ in TYPES[::-1]}
        rows.append({"categorie": DIMENSION_LABELS[dimension][value], **counts})
    table = pd.DataFrame(rows)
    table["Total"] = table["Planifiées"] + table["Non planifiées"]
    return table


def kpis(frame: pd.DataFrame) -> dict[str, int]:
    """Headline numbers: contacts, distinct visits, planned/unplanned visits, group and accompanied visits."""
    plan = frame["code_type_visite"] == "PLAN"
    return {
        "contacts": int(frame["contacts"].sum()),
        "visites": int(frame["visites"].sum()),
        "visites_planifiees": int(frame.loc[plan, "visites"].sum()),
        "visites_non_planifiees": int(frame.loc[frame["code_type_visite"] == "HOPL", "visites"].sum()),
        "visites_groupe": int(frame.loc[frame["type_visite"] == "G", "visites"].sum()),
        "visites_en_double": int(frame.loc[frame["flag_accompagnee"] == "O", "visites"].sum()),
    }


def regions(filters: Filters, scope: Scope, unit: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every région with its count, every ville with its count and région): ``code, libelle, n``."""
    levels = visits.by_region(filters, scope)
    return (
        shapes.parent_table(levels, codes.codes("REGI"), unit),
        shapes.child_table(levels, codes.labels("VILL"), None, unit),
    )


def gammes(filters: Filters, scope: Scope, unit: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every gamme with its count, every spécialité with its count and gamme): ``code, libelle, n``."""
    levels = visits.by_gamme(filters, scope)
    return (
        shapes.parent_table(levels, codes.codes("GAMM"), unit),
        shapes.child_table(levels, codes.labels("SPEC"), None, unit),
    )


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /data`` body: 18 counters plus ``region`` and ``gammes``, all in contacts."""
    stats: dict[str, Any] = counters(visits.counters(filters, scope))
    stats["region"] = shapes.nest(*regions(filters, scope, "contacts"), REGION_KEYS)
    stats["gammes"] = shapes.nest(*gammes(filters, scope, "contacts"), GAMME_KEYS)
    return {"statistiques": stats}


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: the legacy structures in both units, the headline numbers and the daily series."""
    frame = visits.counters(filters, scope)
    days = visits.calendar(filters, scope)
    return {
        "filtres": filters.to_dict(),
        "indicateurs": kpis(frame),
        "statistiques": counters(frame, "contacts"),
        "statistiques_visites": counters(frame, "visites"),
        "region": shapes.nest(*regions(filters, scope, "contacts"), REGION_KEYS),
        "region_visites": shapes.nest(*regions(filters, scope, "visites"), REGION_KEYS),
        "gammes": shapes.nest(*gammes(filters, scope, "contacts"), GAMME_KEYS),
        "gammes_visites": shapes.nest(*gammes(filters, scope, "visites"), GAMME_KEYS),
        "evolution": shapes.frame_records(days.rename(columns={"periode": "jour"})),
    }
