"""The Évaluations area's tables, one per chart: evaluations per month, the score distribution and bands, the
evaluators' roles and the reps' averages (rows for the API, DataFrames for the page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data.metrics import evaluations
from data.metrics.filters import Filters
from data.metrics.scope import users

#: Score bands of the distribution: (label, lowest score in the band, lowest score of the next band).
BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("< 50", None, 50), ("50–59", 50, 60), ("60–69", 60, 70), ("70–79", 70, 80), ("80–89", 80, 90), ("≥ 90", 90, None),
)  # fmt: skip


#: Evaluator roles always listed, in hierarchy order (other roles follow when they evaluate).
ROLES = {"DIR": "Directeur", "DRG": "Directeur régional", "DSM": "Superviseur (DSM)", "KAM": "Key account manager"}


OTHER_ROLES = {"DEL": "Délégué médical", "PM": "Chef de produit", "ACH": "Achats", "ADMI": "Administrateur"}


UNKNOWN_ROLE = "Évaluateur inconnu"


Summary = list[dict[str, Any]]  # evaluations.summary: one dict per (dimension, key)


def _rows(frame: Summary, dimension: str) -> Summary:
    """The summary rows of one dimension."""
    return [row for row in frame if row["dimension"] == dimension]


def month_rows(frame: Summary, filters: Filters) -> list[tuple[dt.date, str, int]]:
    """Evaluations per month: ``(periode`` (first day), ``mois`` (``YYYY-MM``), ``evaluations)``; gaps at 0."""
    counts = {int(row["cle"]): row["evaluations"] for row in _rows(frame, "mois")}
    return [
        (dt.date(key // 100, key % 100, 1), f"{key // 100}-{key % 100:02d}", counts.get(key, 0))
        for key in _calendar(sorted(counts), filters)
    ]


def months(frame: Summary, filters: Filters) -> pd.DataFrame:
    """``month_rows`` as a DataFrame (``periode`` as datetime64)."""
    rows = month_rows(frame, filters)
    return pd.DataFrame(
        {
            "periode": pd.to_datetime([row[0] for row in rows]),
            "mois": [row[1] for row in rows],
            "evaluations": pd.Series([row[2] for row in rows], dtype="int64"),
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


def score_rows(frame: Summary) -> list[tuple[int, int, int]]:
    """Per distinct score: ``(points_obtenus, evaluations, nombre_visites)``, by score.

    ``nombre_visites`` adds, once per evaluation, the evaluated rep's distinct non-deleted visits (all time).
    """
    rows = sorted(_rows(frame, "note"), key=lambda row: (row["cle"] is None, row["cle"] or 0))
    return [(int(row["cle"]), row["evaluations"], row["visites"]) for row in rows]


def scores(frame: Summary) -> pd.DataFrame:
    """``score_rows`` as a DataFrame: ``points_obtenus``, ``evaluations``, ``nombre_visites``."""
    return pd.DataFrame(score_rows(frame), columns=["points_obtenus", "evaluations", "nombre_visites"], dtype="int64")


def band_rows(frame: Summary) -> list[tuple[str, int]]:
    """Evaluations per score band (``BANDS``, every band, 0 included): ``(tranche, evaluations)``."""
    table = score_rows(frame)
    return [
        (label, sum(n for score, n, _ in table if (low is None or score >= low) and (high is None or score < high)))
        for label, low, high in BANDS
    ]


def bands(frame: Summary) -> pd.DataFrame:
    """``band_rows`` as a DataFrame: ``tranche``, ``evaluations``."""
    return pd.DataFrame(band_rows(frame), columns=["tranche", "evaluations"])


ROLE_COLUMNS = ["role_createur", "libelle", "evaluations", "pourcentage"]


def role_rows(frame: Summary) -> list[tuple[Any, ...]]:
    """Evaluations per evaluator role: ``(role_createur`` (None: unknown evaluator), ``libelle, evaluations,
    pourcentage)`` (of all evaluations, 2 decimals)."""
    counts = {
        (row["cle_texte"] if isinstance(row["cle_texte"], str) else None): row["evaluations"]
        for row in _rows(frame, "role")
    }
    found = [r for r in counts if r is not None and r not in ROLES]
    order: list[str | None] = [*ROLES, *sorted(found), *([None] if None in counts else [])]
    labels = {**ROLES, **OTHER_ROLES}
    total = sum(counts.values())
    return [
        (
            role,
            labels.get(role, role) if role else UNKNOWN_ROLE,
            counts.get(role, 0),
            round(100 * counts.get(role, 0) / total, 2) if total else 0.0,
        )
        for role in order
    ]


def roles(frame: Summary) -> pd.DataFrame:
    """``role_rows`` as a DataFrame (``ROLE_COLUMNS``)."""
    return pd.DataFrame(role_rows(frame), columns=ROLE_COLUMNS).astype({"evaluations": "int64"})


REP_COLUMNS = ["id_utilisateur", "nom", "evaluations", "note_moyenne"]


def rep_rows(frame: Summary) -> list[tuple[Any, ...]]:
    """Mean score per evaluated rep (each evaluation once): ``(id_utilisateur, nom, evaluations, note_moyenne)``.

    ``nom`` is "NOM Prénom" (a rep missing from ``tab_utilisateur`` is kept, named by its id); sorted by name.
    """
    people = users()
    names = dict(zip(people["id_utilisateur"].astype(int), people["nom"], strict=True))
    rows = [
        (int(row["cle"]), names.get(int(row["cle"]), f"Utilisateur n° {int(row['cle'])}"), row["evaluations"],
         evaluations.mean(row["points"], row["evaluations"]))
        for row in _rows(frame, "utilisateur")
    ]  # fmt: skip
    return sorted(
        rows, key=lambda row: (not isinstance(row[1], str), row[1] if isinstance(row[1], str) else "", row[0])
    )


def reps(frame: Summary) -> pd.DataFrame:
    """``rep_rows`` as a DataFrame (``REP_COLUMNS``)."""
    return pd.DataFrame(rep_rows(frame), columns=REP_COLUMNS).astype(
        {"id_utilisateur": "int64", "evaluations": "int64"}
    )
