"""The Investissements area as tables: what the page charts and what the API (v1 and legacy ``/invest``) returns.

Every breakdown lists every known code of its dimension (0 included), sorted by code as the legacy did, then a
"Non renseigné" bucket (code ``None``) when business cases lack the key: every breakdown sums to the total.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from data import codes, invest, shapes
from data.filters import Filters
from data.scope import Scope

#: The filters this area accepts (API and page).
FIELDS = (
    "id_responsable", "id_utilisateur", "code_type_investissement", "id_partenaire", "id_business_case",
    "gamme", "region", "annee", "mois", "start_date", "end_date",
)  # fmt: skip
NOT_SET = "Non renseigné"
STATUTS = {
    "ANNU": "Annulé",
    "ENAT": "En attente",
    "REAL": "Réalisé",
    "REFU": "Refusé",
    "REJE": "Rejeté",
    "VALI": "Validé",
}
POTENTIELS = ("A", "A+", "B", "C", "D")
#: Dimension -> codification type of its codes (statut and potentiel are hard-coded, visites has none).
CODE_TYPES = {"gamme": "GAMM", "specialite": "SPEC", "region": "REGI", "type": "TYIN", "categorie": "CAIN"}
MEASURES = ["budget", "business_cases", "partenaires"]
#: Dimension -> (legacy list key, legacy item keys with the table column each holds), in legacy order.
LEGACY: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "visites": ("budget_par_visites", (("Nombre de nombre de visites", "code"), ("budget", "budget"))),
    "gamme": ("budget_par_gamme", (("code_gamme", "code"), ("budget", "budget"), ("code_gamme_partenaire", "code"),
                                   ("gamme", "libelle"))),
    "statut": ("budget_par_statut", (("code_statut_bc", "code"), ("budget", "budget"))),
    "potentiel": ("budget_par_potentiel", (("code_potentiel", "code"), ("budget", "budget"))),
    "specialite": ("budget_par_specialite", (("code_specialite", "code"), ("budget", "budget"),
                                             ("code_specialite_partenaire", "code"), ("specialite", "libelle"))),
    "region": ("budget_par_region", (("code_region_partenaire", "code"), ("budget", "budget"), ("region", "libelle"))),
    "type": ("budget_par_type_investissement", (("code_type_investissement", "code"), ("budget", "budget"))),
    "categorie": ("budget_par_categorie_investissement", (("code_categorie_investissement", "code"),
                                                          ("budget", "budget"))),
}  # fmt: skip
#: Drill-down: parent dimension -> (two-level dimension, v1 key of the children, child code key, child label key).
NESTED = {
    "gamme": ("gamme_specialite", "specialites", "code_specialite", "specialite"),
    "region": ("region_ville", "villes", "code_ville_partenaire", "ville"),
}
CHILD_CODE_TYPES = {"gamme_specialite": "SPEC", "region_ville": "VILL"}


def catalogue(dimension: str) -> pd.DataFrame:
    """Every known code of a dimension with its label: ``code, libelle`` (empty for ``visites``)."""
    if dimension in CODE_TYPES:
        return codes.codes(CODE_TYPES[dimension])[["code", "libelle"]]
    known = {"statut": STATUTS, "potentiel": {p: p for p in POTENTIELS}}.get(dimension, {})
    return pd.DataFrame({"code": list(known), "libelle": list(known.values())})


def visits_label(count: int) -> str:
    """``0 visite``, ``1 visite``, ``2 visites``."""
    return f"{count} visite" + ("s" if count > 1 else "")


def table(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """One breakdown: ``code, libelle, budget, business_cases, partenaires``, by code, "Non renseigné" last."""
    rows = frame[frame["dimension"] == dimension].set_index("code", drop=False)
    if dimension == "visites":  # a partner never visited has no visit-count row: 0 visits
        counts = sorted({0 if c is None else int(c) for c in rows["code"]})
        out = pd.DataFrame({"code": counts, "libelle": [visits_label(c) for c in counts]})
        by_count = rows.assign(n=[0 if c is None else int(c) for c in rows["code"]]).groupby("n")[MEASURES].sum()
        return _measured(out, by_count)
    known = catalogue(dimension)
    extra = sorted(set(rows["code"].dropna()) - set(known["code"]))
    out = pd.concat([known, pd.DataFrame({"code": extra, "libelle": extra})], ignore_index=True)
    out = out.sort_values("code", ignore_index=True)
    if rows["code"].isna().any():
        out = pd.concat([out, pd.DataFrame({"code": [None], "libelle": [NOT_SET]})], ignore_index=True)
    return _measured(out, rows[rows["code"].notna()][MEASURES], rows[rows["code"].isna()][MEASURES])


def _measured(out: pd.DataFrame, by_code: pd.DataFrame, unset: pd.DataFrame | None = None) -> pd.DataFrame:
    """``out`` with the measures of each code (0 when absent); the ``None`` code takes ``unset``'s."""
    out = out.astype({"code": object})
    for column in MEASURES:
        values = out["code"].map(by_code[column]) if len(by_code) else pd.Series(0, index=out.index)
        if unset is not None and len(unset):
            values = values.where(out["code"].notna(), int(unset[column].iloc[0]))
        out[column] = values.fillna(0).astype("int64")
    return out


def children(frame: pd.DataFrame, dimension: str, parent: str | None = None, every: bool = True) -> pd.DataFrame:
    """Children of a two-level dimension (of one parent unless ``every``): ``code_parent, code, libelle, …``."""
    rows = frame[frame["dimension"] == dimension]
    if not every:
        rows = rows[rows["code_parent"].isna()] if parent is None else rows[rows["code_parent"] == parent]
    labels = codes.labels(CHILD_CODE_TYPES[dimension])
    out = rows[["code_parent", "code", *MEASURES]].copy()
    out.insert(2, "libelle", [NOT_SET if c is None else labels.get(c, c) for c in out["code"]])
    out["_unset"] = out["code"].isna()
    out = out.sort_values(["_unset", "code"], key=lambda s: s.fillna(""), ignore_index=True)
    return out.drop(columns="_unset")


def kpis(frame: pd.DataFrame) -> dict[str, int]:
    """Budget total (MAD), business cases, distinct partners funded, budget of realised (REAL) cases (MAD)."""
    total = frame[frame["dimension"] == "total"]
    real = frame[(frame["dimension"] == "statut") & (frame["code"] == "REAL")]
    return {
        "budget_total": int(total["budget"].sum()),
        "business_cases": int(total["business_cases"].sum()),
        "partenaires": int(total["partenaires"].sum()),
        "budget_realise": int(real["budget"].sum()),
    }


def _items(frame: pd.DataFrame, dimension: str, rich: bool) -> list[dict[str, Any]]:
    """The items of one breakdown: legacy keys, plus (``rich``) label, counts and nested children."""
    spec = LEGACY[dimension][1]
    by_parent: dict[Any, list[dict[str, Any]]] = {}
    if rich and dimension in NESTED:  # every child once, grouped by parent (one pass, not one per parent)
        nested, _kids, code_key, label_key = NESTED[dimension]
        for k in shapes.frame_records(children(frame, nested)):
            kid = {code_key: k["code"], label_key: k["libelle"], **{m: k[m] for m in MEASURES}}
            by_parent.setdefault(k["code_parent"], []).append(kid)
    items = []
    for row in shapes.frame_records(table(frame, dimension)):
        item = {name: row[column] for name, column in spec}
        if rich:
            item.update({"libelle": row["libelle"], "business_cases": row["business_cases"]})
            item["partenaires"] = row["partenaires"]
            if dimension in NESTED:
                item[NESTED[dimension][1]] = by_parent.get(row["code"], [])
        items.append(item)
    return items


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /invest`` body: the eight budget lists, in the legacy order and keys."""
    frame = invest.breakdowns(filters, scope)
    return {LEGACY[d][0]: _items(frame, d, rich=False) for d in LEGACY}


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: filters, headline numbers, and the legacy lists with labels, counts and nested children."""
    frame = invest.breakdowns(filters, scope)
    return {
        "filtres": filters.to_dict(),
        "unites": {"budget": "MAD", "business_cases": "business cases", "partenaires": "partenaires distincts"},
        "indicateurs": kpis(frame),
        **{LEGACY[d][0]: _items(frame, d, rich=True) for d in LEGACY},
    }
