"""The Partenaires area as tables: what the page charts and what the API (v1 and legacy ``/partenaire``) returns."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data import codes, partners, shapes
from data.filters import VISIT_FIELDS, Filters
from data.scope import Scope

#: The filters this area accepts (API): the sidebar's.
FIELDS = VISIT_FIELDS
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


def _levels(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """One dimension as ``LEVEL_COLUMNS``: parent rows (``code`` missing, summed over children), then children.

    The sum is exact: each account has one current row, so the children of a parent partition its accounts.
    """
    rows = frame[(frame["dimension"] == dimension) & frame["code_parent"].notna()]
    parents = rows.groupby("code_parent", as_index=False)[["comptes", "visites"]].sum()
    parents["code"] = None
    children = rows[rows["code"].notna()]
    return pd.concat([parents[LEVEL_COLUMNS], children[LEVEL_COLUMNS]], ignore_index=True)


def potentials(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Visited accounts per potentiel: ``code, libelle, n`` (A+, A, B, C, D, then unknown classes)."""
    catalogue = pd.DataFrame({"code": POTENTIALS, "libelle": POTENTIALS})
    return shapes.parent_table(_levels(partners.accounts(filters, scope), "potentiel"), catalogue, "comptes")


def etablissements(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Visited accounts per établissement: ``code, libelle, type`` (ETPR/ETPU), ``n``; every ETPR/ETPU code."""
    catalogue = pd.concat([codes.codes(t).assign(type=t) for t in ESTABLISHMENT_TYPES], ignore_index=True)
    catalogue = catalogue.sort_values(["libelle", "code"])
    table = shapes.parent_table(_levels(partners.accounts(filters, scope), "etablissement"), catalogue, "comptes")
    table["type"] = [dict(zip(catalogue["code"], catalogue["type"], strict=True)).get(c, "") for c in table["code"]]
    return table[["code", "libelle", "type", "n"]]


def regions(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every région with its visited accounts, every ville with its accounts and région): ``code, libelle, n``."""
    levels = _levels(partners.accounts(filters, scope), "region")
    return (
        shapes.parent_table(levels, codes.codes("REGI"), "comptes"),
        shapes.child_table(levels, codes.labels("VILL"), None, "comptes"),
    )


def gammes(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every gamme with its visited accounts, every spécialité with its accounts and gamme): ``code, libelle, n``."""
    levels = _levels(partners.accounts(filters, scope), "gamme")
    return (
        shapes.parent_table(levels, codes.codes("GAMM"), "comptes"),
        shapes.child_table(levels, codes.labels("SPEC"), None, "comptes"),
    )


def coverage(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per potentiel: ``code, comptes`` (the base), ``comptes_visites``, ``couverture`` (share, NaN if no base)."""
    rows = partners.coverage(filters, scope).dropna(subset=["code_potentiel"]).set_index("code_potentiel")
    table = pd.DataFrame({"code": [*POTENTIALS, *sorted(set(rows.index) - set(POTENTIALS))]})
    for column in ("comptes", "comptes_visites"):
        table[column] = table["code"].map(rows[column]).fillna(0).astype("int64")
    table["couverture"] = table["comptes_visites"] / table["comptes"].where(table["comptes"] > 0)
    return table


def kpis(filters: Filters, scope: Scope) -> dict[str, Any]:
    """Headline numbers: visited accounts, their mean visits, the base, its visited share (``None``: no base)."""
    frame = partners.accounts(filters, scope)
    by_potential = frame[frame["dimension"] == "potentiel"]  # every visited account, potential known or not
    visited, visits = int(by_potential["comptes"].sum()), int(by_potential["visites"].sum())
    base = partners.coverage(filters, scope)
    accounts, covered = int(base["comptes"].sum()), int(base["comptes_visites"].sum())
    return {
        "comptes_visites": visited,
        "visites_moyennes": visits / visited if visited else 0.0,
        "comptes_portefeuille": accounts,
        "comptes_portefeuille_visites": covered,
        "comptes_non_visites": accounts - covered,
        "couverture": covered / accounts if accounts else None,
    }


def _counts(table: pd.DataFrame, column: str, key: str) -> list[dict[str, Any]]:
    """Legacy count items ``{key: <column>, "nombre_partenaire": n}``, in the table's order."""
    return [{key: value, "nombre_partenaire": int(n)} for value, n in zip(table[column], table["n"], strict=True)]


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /partenaire`` body, keys in the legacy order; counts are visited accounts."""
    return {
        "Nombre_de_comptes_par_potentiel": _counts(potentials(filters, scope), "code", "code_potentiel"),
        "Nombre_de_visites_moyen": float(kpis(filters, scope)["visites_moyennes"]),
        "Nombre_de_comptes_par_etablissement": _counts(etablissements(filters, scope), "libelle", "etablissement"),
        "region_partenaire": shapes.nest(*regions(filters, scope), REGION_KEYS),
        "gamme_partenaire": shapes.nest(*gammes(filters, scope), GAMME_KEYS),
    }


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: the legacy structures, the headline numbers, établissement codes and coverage per potentiel."""
    by_establishment = etablissements(filters, scope).rename(
        columns={"code": "code_type_etablissement", "libelle": "etablissement", "type": "type_etablissement"}
    )
    cover = coverage(filters, scope).rename(columns={"code": "code_potentiel"})
    cover["couverture"] = cover["couverture"].astype(object).where(cover["couverture"].notna(), None)
    return {
        "filtres": filters.to_dict(),
        "indicateurs": kpis(filters, scope),
        **legacy_payload(filters, scope),
        "etablissements": shapes.frame_records(by_establishment.rename(columns={"n": "nombre_partenaire"})),
        "couverture_par_potentiel": shapes.frame_records(cover),
    }
