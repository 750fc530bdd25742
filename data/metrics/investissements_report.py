"""The Investissements area as tables: what the page charts and what the API (v1 and legacy ``/invest``) returns.

Every breakdown lists every known code of its dimension (0 included), sorted by code as the legacy did, then a
"Non renseigné" bucket (code ``None``) when business cases lack the key: every breakdown sums to the total.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from data import side_by_side
from data.metrics import codes, investissements, periods
from data.metrics.filters import Filters
from data.metrics.scope import Scope

#: The filters this area accepts (API and page).
FIELDS = (
    "id_responsable", "id_utilisateur", "code_type_investissement", "id_partenaire", "id_business_case",
    "gamme", "region", "annee", "mois", "start_date", "end_date",
)  # fmt: skip
#: The v1 route's: the period preset too.
V1_FIELDS = (*FIELDS, "periode")
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


Breakdowns = list[dict[str, Any]]  # investissements.breakdowns: one dict per (dimension, key)
Row = dict[str, Any]


def catalogue(dimension: str) -> list[tuple[str, str]]:
    """Every known code of a dimension with its label: ``(code, libelle)`` (none for ``visites``)."""
    if dimension in CODE_TYPES:
        return [(code, label) for code, label, _ in codes.catalogue(CODE_TYPES[dimension])]
    known = {"statut": STATUTS, "potentiel": {p: p for p in POTENTIELS}}.get(dimension, {})
    return list(known.items())


def visits_label(count: int) -> str:
    """``0 visite``, ``1 visite``, ``2 visites``."""
    return f"{count} visite" + ("s" if count > 1 else "")


def _measures(row: Row | None) -> Row:
    return {column: row[column] if row else 0 for column in MEASURES}


def table_rows(frame: Breakdowns, dimension: str) -> list[Row]:
    """One breakdown: ``code, libelle, budget, business_cases, partenaires``, by code, "Non renseigné" last."""
    rows = [row for row in frame if row["dimension"] == dimension]
    if dimension == "visites":  # a partner never visited has no visit-count row: 0 visits
        by_count: dict[int, list[int]] = {}
        for row in rows:
            total = by_count.setdefault(0 if row["code"] is None else int(row["code"]), [0, 0, 0])
            for index, column in enumerate(MEASURES):
                total[index] += row[column]
        return [
            {"code": n, "libelle": visits_label(n), **dict(zip(MEASURES, by_count[n], strict=True))}
            for n in sorted(by_count)
        ]
    present = {row["code"]: row for row in rows if row["code"] is not None}
    unset = next((row for row in rows if row["code"] is None), None)
    known = catalogue(dimension)
    extra = sorted(set(present) - {code for code, _ in known})
    out = [
        {"code": code, "libelle": label, **_measures(present.get(code))}
        for code, label in sorted([*known, *((code, code) for code in extra)], key=lambda pair: pair[0])
    ]
    if unset is not None:
        out.append({"code": None, "libelle": NOT_SET, **_measures(unset)})
    return out


def table(frame: Breakdowns, dimension: str) -> pd.DataFrame:
    """``table_rows`` as a DataFrame (a page's chart)."""
    out = pd.DataFrame(table_rows(frame, dimension), columns=["code", "libelle", *MEASURES])
    return out.astype({"code": object, **{column: "int64" for column in MEASURES}})


def children_rows(frame: Breakdowns, dimension: str, parent: str | None = None, every: bool = True) -> list[Row]:
    """Children of a two-level dimension (of one parent unless ``every``): ``code_parent, code, libelle, …``,
    by code, missing codes last."""
    rows = [row for row in frame if row["dimension"] == dimension]
    if not every:
        rows = [row for row in rows if (row["code_parent"] is None if parent is None else row["code_parent"] == parent)]
    labels = codes.labels(CHILD_CODE_TYPES[dimension])
    out = [
        {
            "code_parent": row["code_parent"],
            "code": row["code"],
            "libelle": NOT_SET if row["code"] is None else labels.get(row["code"], row["code"]),
            **_measures(row),
        }
        for row in rows
    ]
    return sorted(out, key=lambda row: (row["code"] is None, row["code"] or ""))


def children(frame: Breakdowns, dimension: str, parent: str | None = None, every: bool = True) -> pd.DataFrame:
    """``children_rows`` as a DataFrame (a page's drilled chart)."""
    out = pd.DataFrame(
        children_rows(frame, dimension, parent, every), columns=["code_parent", "code", "libelle", *MEASURES]
    )
    return out.astype({column: "int64" for column in MEASURES})


#: Business-case statuses that engage no budget: refused (REJE, REFU) and cancelled (ANNU). Every other status
#: (ENAT pending, VALI validated, REAL carried out, and any status the CRM adds) is engaged.
NOT_ENGAGED = ("REJE", "REFU", "ANNU")


def engagement(frame: Breakdowns) -> dict[str, int]:
    """The engaged budget (MAD) and business cases, and those refused or cancelled, shown apart."""
    statuses = [row for row in frame if row["dimension"] == "statut"]
    out = [row for row in statuses if row["code"] in NOT_ENGAGED]
    kept = [row for row in statuses if row["code"] not in NOT_ENGAGED]
    return {
        "budget_engage": sum(row["budget"] for row in kept),
        "business_cases_engages": sum(row["business_cases"] for row in kept),
        "budget_refuse_ou_annule": sum(row["budget"] for row in out),
        "business_cases_refuses_ou_annules": sum(row["business_cases"] for row in out),
    }


def kpis(frame: Breakdowns) -> dict[str, int]:
    """Budget total (MAD), business cases, distinct partners funded, budget of realised (REAL) cases (MAD)."""
    total = [row for row in frame if row["dimension"] == "total"]
    real = [row for row in frame if row["dimension"] == "statut" and row["code"] == "REAL"]
    return {
        "budget_total": sum(row["budget"] for row in total),
        "business_cases": sum(row["business_cases"] for row in total),
        "partenaires": sum(row["partenaires"] for row in total),
        "budget_realise": sum(row["budget"] for row in real),
    }


def _items(frame: Breakdowns, dimension: str, rich: bool) -> list[dict[str, Any]]:
    """The items of one breakdown: legacy keys, plus (``rich``) label, counts and nested children."""
    spec = LEGACY[dimension][1]
    by_parent: dict[Any, list[dict[str, Any]]] = {}
    if rich and dimension in NESTED:  # every child once, grouped by parent (one pass, not one per parent)
        nested, _kids, code_key, label_key = NESTED[dimension]
        for k in children_rows(frame, nested):
            kid = {code_key: k["code"], label_key: k["libelle"], **{m: k[m] for m in MEASURES}}
            by_parent.setdefault(k["code_parent"], []).append(kid)
    items = []
    for row in table_rows(frame, dimension):
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
    frame = investissements.breakdowns(filters, scope)
    return {LEGACY[d][0]: _items(frame, d, rich=False) for d in LEGACY}


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: filters, headline numbers, and the legacy lists with labels, counts and nested children."""
    side_by_side.compute(
        (investissements.breakdown_rows, (filters, scope)),
        *periods.over_earlier(investissements.kpi_rows_over, filters, scope),
    )
    frame = investissements.breakdowns(filters, scope)
    return {
        "filtres": filters.to_dict(),
        "unites": {"budget": "MAD", "business_cases": "business cases", "partenaires": "partenaires distincts"},
        "indicateurs": kpis(frame),
        **periods.compared_over(
            lambda spans: [kpis(f) for f in investissements.kpi_rows_over(filters, scope, spans)], filters
        ),
        "engagement": engagement(frame),
        **{LEGACY[d][0]: _items(frame, d, rich=True) for d in LEGACY},
    }
