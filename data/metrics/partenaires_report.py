"""The Partenaires area as tables: what the page charts and what the API (v1 and legacy ``/partenaire``) returns."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data import side_by_side
from data.app import settings
from data.metrics import codes, equipe, partenaires, periods, shapes
from data.metrics.filters import VISIT_FIELDS, VISIT_V1_FIELDS, Filters
from data.metrics.scope import Scope, visible_users

#: The filters this area accepts (API): the sidebar's.
FIELDS = VISIT_FIELDS
#: The v1 route's: the sidebar's and the cross-filters a click on a chart sets.
V1_FIELDS = VISIT_V1_FIELDS
#: The potential classes in business order; every one is listed, with 0 if none.
POTENTIALS = ("A+", "A", "B", "C", "D")
ESTABLISHMENT_TYPES = ("ETPR", "ETPU")
REGION_KEYS = {
    "parent_code": "code_region_partenaire", "parent_label": "region", "parent_total": "total_partenaire",
    "children": "ville", "child_code": "code_ville_partenaire", "child_parent_code": "code_region_partenaire",
    "child_label": "ville", "child_parent_label": "region", "child_count": "nb_partenaire",
    "child_parent_first": "1",
}  # fmt: skip
GAMME_KEYS = {
    "parent_code": "code_gamme", "parent_label": "gamme", "parent_total": "total_partenaire",
    "children": "specialites", "child_code": "code_specialite", "child_parent_code": "code_gamme",
    "child_label": "specialite", "child_parent_label": "gamme", "child_count": "nb_partenaire",
}  # fmt: skip
LEVEL_COLUMNS = ["code_parent", "code", "comptes", "visites"]


def _levels(rows: list[tuple[Any, ...]], dimension: str) -> list[tuple[Any, ...]]:
    """One dimension as ``(code_parent, code, comptes, visites)``: parent rows (``code`` None, summed over
    children), then children. The sum is exact: each account has one current row, so the children of a parent
    partition its accounts."""
    mine = [row for row in rows if row[0] == dimension and row[1] is not None]
    parents: dict[Any, list[int]] = {}
    for _, parent, _, accounts, visits in mine:
        total = parents.setdefault(parent, [0, 0])
        total[0] += accounts
        total[1] += visits
    children = [(parent, code, accounts, visits) for _, parent, code, accounts, visits in mine if code is not None]
    return [(code, None, accounts, visits) for code, (accounts, visits) in parents.items()] + children


COMPTES = 2  # the index of ``comptes`` in a level row


def potential_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """Visited accounts per potentiel: ``(code, libelle, n)`` (A+, A, B, C, D, then unknown classes)."""
    levels = _levels(partenaires.account_rows(filters, scope), "potentiel")
    return shapes.parent_rows(levels, [(code, code) for code in POTENTIALS], COMPTES)


def potentials(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``potential_rows`` as a DataFrame: ``code, libelle, n``."""
    return _frame(potential_rows(filters, scope), ["code", "libelle", "n"])


def establishment_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """Visited accounts per établissement: ``(code, libelle, type, n)``, type ETPR/ETPU; every ETPR/ETPU code."""
    known = [(code, label, kind) for kind in ESTABLISHMENT_TYPES for code, label, _ in codes.catalogue(kind)]
    known.sort(key=lambda row: (row[1] is None, row[1] or "", row[0]))
    kinds = {code: kind for code, _, kind in known}
    levels = _levels(partenaires.account_rows(filters, scope), "etablissement")
    rows = shapes.parent_rows(levels, [(code, label) for code, label, _ in known], COMPTES)
    return [(code, label, kinds.get(code, ""), n) for code, label, n in rows]


def etablissements(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``establishment_rows`` as a DataFrame: ``code, libelle, type, n``."""
    return _frame(establishment_rows(filters, scope), ["code", "libelle", "type", "n"])


def region_levels(filters: Filters, scope: Scope) -> tuple[list, list]:
    """(every région with its visited accounts, every ville with its accounts and région), plain rows."""
    levels = _levels(partenaires.account_rows(filters, scope), "region")
    catalogue = [(code, label) for code, label, _ in codes.catalogue("REGI")]
    return shapes.parent_rows(levels, catalogue, COMPTES), shapes.child_rows(levels, codes.labels("VILL"), COMPTES)


def gamme_levels(filters: Filters, scope: Scope) -> tuple[list, list]:
    """(every gamme with its visited accounts, every spécialité with its accounts and gamme), plain rows."""
    levels = _levels(partenaires.account_rows(filters, scope), "gamme")
    catalogue = [(code, label) for code, label, _ in codes.catalogue("GAMM")]
    return shapes.parent_rows(levels, catalogue, COMPTES), shapes.child_rows(levels, codes.labels("SPEC"), COMPTES)


def regions(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every région with its visited accounts, every ville with its accounts and région): ``code, libelle, n``."""
    parents, children = region_levels(filters, scope)
    return _frame(parents, ["code", "libelle", "n"]), _frame(children, ["code_parent", "code", "libelle", "n"])


def gammes(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every gamme with its visited accounts, every spécialité with its accounts and gamme): ``code, libelle, n``."""
    parents, children = gamme_levels(filters, scope)
    return _frame(parents, ["code", "libelle", "n"]), _frame(children, ["code_parent", "code", "libelle", "n"])


def _frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns).astype({"n": "int64"})


COVERAGE_COLUMNS = ["code", "comptes", "comptes_visites", "couverture"]


def portfolio_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """The accounts coverage counts, per potentiel: ``(code, comptes, comptes_visites)`` (code None: none recorded).

    One definition with the Équipe page (issue 13): a selection of people (team, rep, role, or a manager's scope)
    covers its portfolio, the partners its reps visited in the window (``data.metrics.portfolio``); the whole
    company, the partner base (every partner not rejected, in the filtered régions and gammes).
    """
    if visible_users(filters, scope) is None:
        return partenaires.coverage_rows(filters, scope)
    reach = equipe.reach_rows(filters, scope, settings.current())
    return _tiers(reach[0]["team"]) if reach else []


def _tiers(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``(potentiel, visits, partners)`` rows of a portfolio as ``(code, comptes, comptes_visites)`` per potentiel."""
    out: dict[Any, list[int]] = {}
    for tier, visits, n in rows:
        counts = out.setdefault(tier or None, [0, 0])
        counts[0] += n
        counts[1] += n if visits > 0 else 0
    return [(code, accounts, seen) for code, (accounts, seen) in out.items()]


def coverage_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """Per potentiel: ``(code, comptes`` (the portfolio), ``comptes_visites, couverture)`` (share, None if none)."""
    counts = {code: (base, seen) for code, base, seen in portfolio_rows(filters, scope) if code is not None}
    order = [*POTENTIALS, *sorted(set(counts) - set(POTENTIALS))]
    if filters.potentiel:  # the potentials a cross-filter leaves out are not zeros
        order = [code for code in order if code in filters.potentiel]
    rows = [(code, *counts.get(code, (0, 0))) for code in order]
    return [(code, base, seen, seen / base if base > 0 else None) for code, base, seen in rows]


def coverage(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``coverage_rows`` as a DataFrame (``couverture`` NaN if no base)."""
    frame = pd.DataFrame(coverage_rows(filters, scope), columns=COVERAGE_COLUMNS)
    frame["couverture"] = frame["couverture"].astype("float64")
    return frame.astype({"comptes": "int64", "comptes_visites": "int64"})


def kpis(filters: Filters, scope: Scope) -> dict[str, Any]:
    """Headline numbers: visited accounts, their mean visits, the base, its visited share (``None``: no base)."""
    by_potential = [row for row in partenaires.account_rows(filters, scope) if row[0] == "potentiel"]  # every one
    visited, visits = sum(row[3] for row in by_potential), sum(row[4] for row in by_potential)
    base = portfolio_rows(filters, scope)
    return _kpis(visited, visits, sum(row[1] for row in base), sum(row[2] for row in base))


def kpis_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """``kpis`` over each span of days instead of the filters' period (the comparisons), from one statement; the
    partner base does not depend on the period; a selection's portfolio does, counted with the period's."""
    rows = partenaires.visited_rows_over(filters, scope, spans)
    if visible_users(filters, scope) is None:
        accounts = sum(row[1] for row in partenaires.coverage_rows(filters, scope))
        return [_kpis(visited, visits, accounts, covered) for visited, visits, covered in rows]
    found = equipe.spans(filters, scope)
    reach = equipe.reach_rows(filters, scope, settings.current())
    out = []
    for span, (visited, visits, _) in zip(spans, rows, strict=True):
        tiers = _tiers(reach[found.index(span)]["team"])
        out.append(_kpis(visited, visits, sum(row[1] for row in tiers), sum(row[2] for row in tiers)))
    return out


def _kpis(visited: int, visits: int, accounts: int, covered: int) -> dict[str, Any]:
    """``kpis`` of the visited accounts, their visits, the partner base and its visited accounts."""
    return {
        "comptes_visites": visited,
        "visites_moyennes": visits / visited if visited else 0.0,
        "comptes_portefeuille": accounts,
        "comptes_portefeuille_visites": covered,
        "comptes_non_visites": accounts - covered,
        "couverture": covered / accounts if accounts else None,
    }


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /partenaire`` body, keys in the legacy order; counts are visited accounts."""
    return {
        "Nombre_de_comptes_par_potentiel": [
            {"code_potentiel": code, "nombre_partenaire": n} for code, _, n in potential_rows(filters, scope)
        ],
        "Nombre_de_visites_moyen": float(kpis(filters, scope)["visites_moyennes"]),
        "Nombre_de_comptes_par_etablissement": [
            {"etablissement": label, "nombre_partenaire": n} for _, label, _, n in establishment_rows(filters, scope)
        ],
        "region_partenaire": shapes.nest(*region_levels(filters, scope), REGION_KEYS),
        "gamme_partenaire": shapes.nest(*gamme_levels(filters, scope), GAMME_KEYS),
    }


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: the legacy structures, the headline numbers, établissement codes and coverage per potentiel."""
    keys = ("code_type_etablissement", "etablissement", "type_etablissement", "nombre_partenaire")
    if visible_users(filters, scope) is None:  # a team's two portfolio statements each use both cores: at once,
        side_by_side.compute(  # they were slower (1M visits: 51-54 -> 57-61 ms), the company's faster (35 -> 28-31)
            (partenaires.account_rows, (filters, scope)),
            (partenaires.coverage_rows, (filters, scope)),
            *periods.over_earlier(partenaires.visited_rows_over, filters, scope),
        )
    return {
        "filtres": filters.to_dict(),
        "indicateurs": kpis(filters, scope),
        **periods.compared_over(lambda spans: kpis_over(filters, scope, spans), filters),
        **legacy_payload(filters, scope),
        "etablissements": [dict(zip(keys, row, strict=True)) for row in establishment_rows(filters, scope)],
        "couverture_par_potentiel": [
            dict(zip(("code_potentiel", "comptes", "comptes_visites", "couverture"), row, strict=True))
            for row in coverage_rows(filters, scope)
        ],
    }
