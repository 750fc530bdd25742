"""The Évaluations area as tables: what the page charts and what the API (v1 and legacy ``/evaluation``) returns.

Counts count evaluations (never items); scores are out of 100, item scores out of 5; averages are floats rounded
to 2 decimals, ``None`` when there is nothing to average.
"""

from __future__ import annotations

from typing import Any

from data import side_by_side
from data.metrics import evaluations, periods
from data.metrics.evaluations_tables import Summary, _rows, band_rows, month_rows, rep_rows, role_rows, score_rows
from data.metrics.filters import Filters
from data.metrics.scope import Scope

#: The filters this area accepts (API); the sidebar's gamme and région do not apply to evaluations.
FIELDS = ("id_responsable", "id_utilisateur", "code_categorie", "annee", "mois", "start_date", "end_date")
#: The v1 route's: the period preset too.
V1_FIELDS = (*FIELDS, "periode")
#: Table columns -> legacy JSON keys.
RENAMES = {
    "evaluations": "Nombre_evaluation", "nom": "FullName_utilisateur", "note_moyenne": "points_obtenus",
    "mois": "date_integration",
}  # fmt: skip
CATEGORY_KEYS = {
    "code": "code_categorie", "libelle": "categorie", "moyenne": "moyenne_points_categorie",
    "items": "nombre_items", "evaluations": "Nombre_evaluation",
}  # fmt: skip
ITEM_KEYS = {
    **CATEGORY_KEYS, "code": "code_sous_categorie", "libelle": "sous_categorie",
    "moyenne": "moyenne_points_sous_categorie",
}  # fmt: skip


def kpis(frame: Summary) -> dict[str, Any]:
    """Evaluations, mean score (/100), distinct evaluated reps and distinct evaluators."""
    total = _rows(frame, "total")[0]
    return {
        "evaluations": total["evaluations"],
        "note_moyenne": evaluations.mean(total["points"], total["evaluations"]),
        "delegues_evalues": total["evalues"],
        "evaluateurs": total["evaluateurs"],
    }


def _nest(parents: list[dict[str, Any]], children: list[dict[str, Any]], detailed: bool) -> list[dict[str, Any]]:
    """The legacy ``categories`` list, items nested under their category (v1: with item and evaluation counts)."""
    columns = ["code", "libelle", "moyenne", *(["items", "evaluations"] if detailed else [])]
    out = []
    for parent in parents:
        kids = [{ITEM_KEYS[c]: kid[c] for c in columns} for kid in children if kid["code_parent"] == parent["code"]]
        out.append({**{CATEGORY_KEYS[c]: parent[c] for c in columns}, "sous_categories": kids})
    return out


def _records(filters: Filters, scope: Scope, detailed: bool) -> dict[str, Any]:
    """The five legacy aggregates, in the legacy key order (v1: with counts, ids, labels and shares)."""
    frame = evaluations.summary(filters, scope)
    scores_ = [
        {"points_obtenus": score, "nombre_visites": visits, **({"Nombre_evaluation": n} if detailed else {})}
        for score, n, visits in score_rows(frame)
    ]
    roles_ = []
    for role, label, n, share in role_rows(frame):
        item: dict[str, Any] = {"role_createur": role}
        if detailed:
            item["libelle"] = label
        item["Nombre_evaluation"] = n
        if detailed:
            item["pourcentage"] = share
        roles_.append(item)
    reps_ = []
    for uid, name, n, score in rep_rows(frame):
        rep: dict[str, Any] = {"id_utilisateur": uid} if detailed else {}
        rep.update({"FullName_utilisateur": name, "points_obtenus": score})
        if detailed:
            rep["Nombre_evaluation"] = n
        reps_.append(rep)
    months_ = [{"date_integration": month, "Nombre_evaluation": n} for _, month, n in month_rows(frame, filters)]
    return {
        "Nombre_visites_par_moyen_evaluation": scores_,
        "Nombre_evaluation_par_Mois": months_,
        "pourcentage_evaluations_role": roles_,
        "moyenne_points_utilisateurs": reps_,
        "categories": _nest(*evaluations.category_levels(filters, scope), detailed),
    }


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /evaluation`` body, with evaluations counted once (not per item)."""
    return _records(filters, scope, detailed=False)


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: the filters, the headline numbers, the score distribution and the legacy aggregates."""
    side_by_side.compute(
        (evaluations.summary_rows, (filters, scope)),
        (evaluations.category_rows, (filters, scope)),
        *periods.over_earlier(evaluations.totals_over, filters, scope),
    )
    frame = evaluations.summary(filters, scope)
    return {
        "filtres": filters.to_dict(),
        "indicateurs": kpis(frame),
        **periods.compared_over(
            lambda spans: [kpis(t) for t in evaluations.totals_over(filters, scope, spans)], filters
        ),
        "distribution_notes": [{"tranche": band, "Nombre_evaluation": n} for band, n in band_rows(frame)],
        **_records(filters, scope, detailed=True),
    }
