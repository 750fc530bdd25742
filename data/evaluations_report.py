"""The Évaluations area as tables: what the page charts and what the API (v1 and legacy ``/evaluation``) returns.

Counts count evaluations (never items); scores are out of 100, item scores out of 5; averages are floats rounded
to 2 decimals, ``None`` when there is nothing to average.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data import evaluations
from data.filters import Filters
from data.scope import Scope, users

#: The filters this area accepts (API); the sidebar's gamme and région do not apply to evaluations.
FIELDS = ("id_responsable", "id_utilisateur", "code_categorie", "annee", "mois", "start_date", "end_date")
#: Score bands of the distribution: (label, lowest score in the band, lowest score of the next band).
BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("< 50", None, 50), ("50–59", 50, 60), ("60–69", 60, 70), ("70–79", 70, 80), ("80–89", 80, 90), ("≥ 90", 90, None),
)  # fmt: skip
#: Evaluator roles always listed, in hierarchy order (other roles follow when they evaluate).
ROLES = {"DIR": "Directeur", "DRG": "Directeur régional", "DSM": "Superviseur (DSM)", "KAM": "Key account manager"}
OTHER_ROLES = {"DEL": "Délégué médical", "PM": "Chef de produit", "ACH": "Achats", "ADMI": "Administrateur"}
UNKNOWN_ROLE = "Évaluateur inconnu"
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


def _rows(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """The summary rows of one dimension."""
    return frame[frame["dimension"] == dimension]


def kpis(frame: pd.DataFrame) -> dict[str, Any]:
    """Evaluations, mean score (/100), distinct evaluated reps and distinct evaluators."""
    total = _rows(frame, "total").iloc[0]
    return {
        "evaluations": int(total["evaluations"]),
        "note_moyenne": evaluations.mean(total["points"], total["evaluations"]),
        "delegues_evalues": int(total["evalues"]),
        "evaluateurs": int(total["evaluateurs"]),
    }


def months(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Evaluations per month: ``periode`` (first day), ``mois`` (``YYYY-MM``), ``evaluations``; gaps at 0."""
    rows = _rows(frame, "mois")
    counts = {int(key): int(n) for key, n in zip(rows["cle"], rows["evaluations"], strict=True)}
    calendar = _calendar(sorted(counts), filters)
    return pd.DataFrame(
        {
            "periode": pd.to_datetime([f"{k // 100}-{k % 100:02d}-01" for k in calendar]),
            "mois": [f"{k // 100}-{k % 100:02d}" for k in calendar],
            "evaluations": pd.Series([counts.get(k, 0) for k in calendar], dtype="int64"),
        }
    )


def _calendar(keys: list[int], filters: Filters) -> list[int]:
    """Months (``YYYYMM``) from the period's start (else the first with data) to its end (else the last).

    A month filter without a year selects that month of every year: only months with data are listed.
    """
    if filters.mois is not None and filters.annee is None:
        return keys
    lows, highs = [_key(filters.start_date)], [_key(filters.end_date)]
    if filters.annee is not None:
        lows.append(filters.annee * 100 + (filters.mois or 1))
        highs.append(filters.annee * 100 + (filters.mois or 12))
    if any(highs):  # a period reaching into the future stops at this month: evaluations are not made ahead
        highs.append(_key(dt.date.today()))
    first = max((k for k in lows if k), default=keys[0] if keys else None)
    last = min((k for k in highs if k), default=keys[-1] if keys else None)
    if first is None or last is None:
        return keys
    out = []
    while first <= last:
        out.append(first)
        first = first + 1 if first % 100 < 12 else (first // 100 + 1) * 100 + 1
    return out


def _key(day: dt.date | None) -> int | None:
    """The ``YYYYMM`` key of a day."""
    return None if day is None else day.year * 100 + day.month


def scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Per distinct score: ``points_obtenus``, ``evaluations`` and ``nombre_visites``.

    ``nombre_visites`` adds, once per evaluation, the evaluated rep's distinct non-deleted visits (all time).
    """
    rows = _rows(frame, "note").sort_values("cle")
    return pd.DataFrame(
        {
            "points_obtenus": rows["cle"].astype("int64").to_numpy(),
            "evaluations": rows["evaluations"].to_numpy(),
            "nombre_visites": rows["visites"].to_numpy(),
        }
    )


def bands(frame: pd.DataFrame) -> pd.DataFrame:
    """Evaluations per score band (``BANDS``, every band, 0 included): ``tranche``, ``evaluations``."""
    table = scores(frame)
    counts = []
    for _, low, high in BANDS:
        inside = pd.Series(True, index=table.index)
        if low is not None:
            inside &= table["points_obtenus"] >= low
        if high is not None:
            inside &= table["points_obtenus"] < high
        counts.append(int(table.loc[inside, "evaluations"].sum()))
    return pd.DataFrame({"tranche": [band[0] for band in BANDS], "evaluations": counts})


def roles(frame: pd.DataFrame) -> pd.DataFrame:
    """Evaluations per evaluator role: ``role_createur`` (None: unknown evaluator), ``libelle``, ``evaluations``,
    ``pourcentage`` (of all evaluations, 2 decimals)."""
    rows = _rows(frame, "role")
    keys = [r if isinstance(r, str) else None for r in rows["cle_texte"]]
    counts = {r: int(n) for r, n in zip(keys, rows["evaluations"], strict=True)}
    found = [r for r in counts if r is not None and r not in ROLES]
    order: list[str | None] = [*ROLES, *sorted(found), *([None] if None in counts else [])]
    labels = {**ROLES, **OTHER_ROLES}
    total = sum(counts.values())
    return pd.DataFrame(
        {
            "role_createur": order,
            "libelle": [labels.get(r, r) if r else UNKNOWN_ROLE for r in order],
            "evaluations": pd.Series([counts.get(r, 0) for r in order], dtype="int64"),
            "pourcentage": [round(100 * counts.get(r, 0) / total, 2) if total else 0.0 for r in order],
        }
    )


def reps(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean score per evaluated rep (each evaluation once): ``id_utilisateur, nom, evaluations, note_moyenne``.

    ``nom`` is "NOM Prénom" (a rep missing from ``tab_utilisateur`` is kept, named by its id); sorted by name.
    """
    rows = _rows(frame, "utilisateur")
    people = users()
    names = dict(zip(people["id_utilisateur"].astype(int), people["nom"], strict=True))
    ids = [int(i) for i in rows["cle"]]
    table = pd.DataFrame(
        {
            "id_utilisateur": pd.Series(ids, dtype="int64"),
            "nom": [names.get(i, f"Utilisateur n° {i}") for i in ids],
            "evaluations": rows["evaluations"].to_numpy(),
            "note_moyenne": [evaluations.mean(p, n) for p, n in zip(rows["points"], rows["evaluations"], strict=True)],
        }
    )
    return table.sort_values(["nom", "id_utilisateur"]).reset_index(drop=True)


def _nest(parents: pd.DataFrame, children: pd.DataFrame, detailed: bool) -> list[dict[str, Any]]:
    """The legacy ``categories`` list, items nested under their category (v1: with item and evaluation counts)."""
    columns = ["code", "libelle", "moyenne", *(["items", "evaluations"] if detailed else [])]
    items = _json(children[["code_parent", *columns]].rename(columns=ITEM_KEYS))
    out = []
    for category in _json(parents[columns].rename(columns=CATEGORY_KEYS)):
        code = category["code_categorie"]
        kids = [{k: v for k, v in item.items() if k != "code_parent"} for item in items if item["code_parent"] == code]
        out.append({**category, "sous_categories": kids})
    return out


def _records(filters: Filters, scope: Scope, detailed: bool) -> dict[str, Any]:
    """The five legacy aggregates, in the legacy key order (v1: with counts, ids, labels and shares)."""
    frame = evaluations.summary(filters, scope)
    more = ["evaluations"] if detailed else []
    score_table = scores(frame)[["points_obtenus", "nombre_visites", *more]]
    role_table = roles(frame)[["role_createur", *(["libelle"] if detailed else []), "evaluations"]]
    rep_table = reps(frame)[[*(["id_utilisateur"] if detailed else []), "nom", "note_moyenne", *more]]
    month_table = months(frame, filters)[["mois", "evaluations"]]
    if detailed:
        role_table = role_table.assign(pourcentage=roles(frame)["pourcentage"])
    return {
        "Nombre_visites_par_moyen_evaluation": _json(score_table.rename(columns=RENAMES)),
        "Nombre_evaluation_par_Mois": _json(month_table.rename(columns=RENAMES)),
        "pourcentage_evaluations_role": _json(role_table.rename(columns=RENAMES)),
        "moyenne_points_utilisateurs": _json(rep_table.rename(columns=RENAMES)),
        "categories": _nest(*evaluations.category_tables(filters, scope), detailed),
    }


def _json(table: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready records: numpy scalars to Python, NaN to None."""
    records: Any = table.astype(object).where(table.notna(), None).to_dict(orient="records")
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in records]


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /evaluation`` body, with evaluations counted once (not per item)."""
    return _records(filters, scope, detailed=False)


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: the filters, the headline numbers, the score distribution and the legacy aggregates."""
    frame = evaluations.summary(filters, scope)
    return {
        "filtres": filters.to_dict(),
        "indicateurs": kpis(frame),
        "distribution_notes": _json(bands(frame).rename(columns={"evaluations": "Nombre_evaluation"})),
        **_records(filters, scope, detailed=True),
    }
