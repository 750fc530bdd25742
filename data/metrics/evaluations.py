"""Évaluations aggregates (the legacy ``/evaluation``): evaluation counts by dimension, category → item averages.

Units: ``evaluations`` count distinct evaluations (``tab_evaluation`` rows), never their items; ``points`` sums
evaluation scores (out of 100); ``items``/``points`` of the category frame are item rows and item scores (out of
5). Every function takes the normalised ``Filters`` and the caller's ``Scope`` (applied to the *evaluated* rep).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from data.cache import memoized
from data.metrics import codes, facts
from data.metrics.facts import period_conditions
from data.metrics.filters import Filters
from data.metrics.periods import Period, over
from data.metrics.scope import Scope, visible_users
from data.source import db
from data.source.schema import codification, evaluation, evaluation_detailed, utilisateur

E = evaluation.alias("e")
D = evaluation_detailed.alias("d")
#: The detail rows seen by the category filter's EXISTS (apart from ``D``, so that it never correlates to it).
ITEM = evaluation_detailed.alias("di")
CREATOR = utilisateur.alias("uc")
SUMMARY_COLUMNS = ["dimension", "cle", "cle_texte", "evaluations", "points", "evalues", "evaluateurs", "visites"]
CATEGORY_COLUMNS = [
    "code_categorie", "code_sous_categorie", "categorie", "sous_categorie", "items", "points", "evaluations",
]  # fmt: skip


def mean(total: Any, count: Any) -> float | None:
    """``total / count`` rounded to 2 decimals (as the API gives averages), ``None`` when ``count`` is 0."""
    return round(float(total) / int(count), 2) if count else None


def evaluation_conditions(filters: Filters, users: tuple[int, ...] | None) -> list[sa.ColumnElement[bool]]:
    """WHERE conditions on ``tab_evaluation``: evaluated rep, inclusive days of ``date_integration``, category."""
    conditions: list[sa.ColumnElement[bool]] = []
    if users is not None:
        conditions.append(E.c.id_utilisateur_evalue.in_(users))
    conditions += period_conditions(filters, E.c.date_integration)
    if filters.code_categorie:
        conditions.append(
            sa.exists().where(ITEM.c.id_evaluation == E.c.id, ITEM.c.code_categorie.in_(filters.code_categorie))
        )
    return conditions


def rep_visits(users: tuple[int, ...] | None, materialised: bool = False) -> sa.Subquery:
    """Distinct non-deleted visits per rep, all time: ``id_utilisateur, visites`` (from the contact fact)."""
    f = facts.rows(Filters(), users, materialised)
    visits = facts.visits(f, Filters()).label("visites")
    return sa.select(f.c.id_utilisateur, visits).group_by(f.c.id_utilisateur).subquery("nv")


def summary_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.CompoundSelect:
    """Evaluations, score sum, distinct evaluated reps and evaluators: overall and per dimension.

    One branch per ``dimension``: ``total`` (no key), ``mois`` (``cle`` = ``YYYYMM``), ``note`` (``cle`` = the
    score; it alone sums the evaluated reps' visits, once per evaluation), ``role`` (``cle_texte`` = the
    evaluator's role, NULL if unknown), ``utilisateur`` (``cle`` = the evaluated rep). LEFT joins drop nothing.
    """
    when = E.c.date_integration
    month = sa.extract("year", when) * sa.literal_column("100") + sa.extract("month", when)
    keys: dict[str, tuple[Any, Any]] = {
        "total": (None, None),
        "mois": (month, None),
        "note": (E.c.points_obtenu, None),
        "role": (None, CREATOR.c.role),
        "utilisateur": (E.c.id_utilisateur_evalue, None),
    }
    source = E.outerjoin(CREATOR, CREATOR.c.id_utilisateur == E.c.id_createur)
    visits = rep_visits(users, materialised)
    where = evaluation_conditions(filters, users)
    branches = []
    for name, (number, text) in keys.items():
        visites: Any = sa.cast(sa.null(), sa.Integer)
        from_ = source
        if name == "note":
            from_ = source.outerjoin(visits, visits.c.id_utilisateur == E.c.id_utilisateur_evalue)
            visites = sa.func.sum(sa.func.coalesce(visits.c.visites, 0))
        stmt = sa.select(
            sa.literal(name, sa.String(12)).label("dimension"),
            (sa.cast(sa.null(), sa.Integer) if number is None else number).label("cle"),
            (sa.cast(sa.null(), sa.String(12)) if text is None else text).label("cle_texte"),
            sa.func.count(E.c.id).label("evaluations"),
            sa.func.sum(E.c.points_obtenu).label("points"),
            sa.func.count(sa.distinct(E.c.id_utilisateur_evalue)).label("evalues"),
            sa.func.count(sa.distinct(E.c.id_createur)).label("evaluateurs"),
            visites.label("visites"),
        )
        group = [key for key in (number, text) if key is not None]
        branches.append(stmt.select_from(from_).where(*where).group_by(*group))
    return sa.union_all(*branches)


def totals_over_stmt(filters: Filters, users: tuple[int, ...] | None, spans: tuple[Period, ...]) -> sa.CompoundSelect:
    """Per span of days instead of the filters' period: ``periode`` (the span's index), evaluations, score sum,
    distinct evaluated reps and evaluators (``summary_stmt``'s ``total``), one row each."""
    branches = [
        sa.select(
            sa.literal(index, sa.Integer).label("periode"),
            sa.func.count(E.c.id).label("evaluations"),
            sa.func.sum(E.c.points_obtenu).label("points"),
            sa.func.count(sa.distinct(E.c.id_utilisateur_evalue)).label("evalues"),
            sa.func.count(sa.distinct(E.c.id_createur)).label("evaluateurs"),
        ).where(*evaluation_conditions(over(filters, span), users))
        for index, span in enumerate(spans)
    ]
    return sa.union_all(*branches)


def categories_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.CompoundSelect:
    """Item count, item score sum and evaluations per category (``code_sous_categorie`` NULL) and per item.

    Items of evaluations outside the filters, and of other categories when ``code_categorie`` is set, are left
    out. Labels come from ``tab_par_codification`` joined by code alone (LEFT: an unknown code is kept).
    """
    cat = codification.alias("cat")
    sub = codification.alias("sub")
    source = (
        D.join(E, E.c.id == D.c.id_evaluation)
        .outerjoin(cat, cat.c.code_codification == D.c.code_categorie)
        .outerjoin(sub, sub.c.code_codification == D.c.code_sous_categorie)
    )
    where = evaluation_conditions(filters, users)
    if filters.code_categorie:
        where.append(D.c.code_categorie.in_(filters.code_categorie))
    measures = [
        sa.func.count(D.c.id).label("items"),
        sa.func.sum(D.c.point_obtenu, type_=sa.Float).label("points"),
        sa.func.count(sa.distinct(D.c.id_evaluation)).label("evaluations"),
    ]
    null = sa.cast(sa.null(), sa.String(255))
    by_category = (
        sa.select(D.c.code_categorie, sa.cast(sa.null(), sa.String(12)), cat.c.libelle_codification, null, *measures)
        .select_from(source)
        .where(*where)
        .group_by(D.c.code_categorie, cat.c.libelle_codification)
    )
    by_item = (
        sa.select(
            D.c.code_categorie,
            D.c.code_sous_categorie,
            cat.c.libelle_codification,
            sub.c.libelle_codification,
            *measures,
        )
        .select_from(source)
        .where(*where)
        .group_by(D.c.code_categorie, D.c.code_sous_categorie, cat.c.libelle_codification, sub.c.libelle_codification)
    )
    return sa.union_all(by_category, by_item)


@memoized
def summary_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """``SUMMARY_COLUMNS`` rows: ``cle`` an int or None, ``cle_texte`` a string or None, measures as ints."""
    rows = db.read(summary_stmt(filters, visible_users(filters, scope), facts.materialised()))
    return [
        (dimension, None if key is None else int(key), text, *(int(value or 0) for value in measures))
        for dimension, key, text, *measures in rows
    ]


@memoized
def totals_over(filters: Filters, scope: Scope, spans: tuple[Period, ...]) -> list[list[dict[str, Any]]]:
    """Over each span of days instead of the filters' period (the comparisons), in one statement: the
    ``summary`` rows its headline numbers read (dimension ``total``)."""
    out: list[list[dict[str, Any]]] = [[] for _ in spans]
    for index, *measures in db.read(totals_over_stmt(filters, visible_users(filters, scope), spans)):
        counts = dict(zip(("evaluations", "points", "evalues", "evaluateurs"), measures, strict=True))
        out[index].append({"dimension": "total", **{name: int(n or 0) for name, n in counts.items()}})
    return out


def summary(filters: Filters, scope: Scope) -> list[dict[str, Any]]:
    """``summary_rows`` as dicts keyed by ``SUMMARY_COLUMNS`` (fresh ones: the caller may change them)."""
    return [dict(zip(SUMMARY_COLUMNS, row, strict=True)) for row in summary_rows(filters, scope)]


@memoized
def category_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """``CATEGORY_COLUMNS`` rows: items (int), item score sum (float) and evaluations (int) per category and
    per item; labels trimmed."""
    rows = db.read(categories_stmt(filters, visible_users(filters, scope)))
    return [
        (category, item, _strip(label), _strip(item_label), int(items), float(points or 0), int(evaluations))
        for category, item, label, item_label, items, points, evaluations in rows
    ]


def _strip(label: Any) -> str | None:
    return label.strip() if isinstance(label, str) else None


Row = dict[str, Any]
MEASURES = ("moyenne", "items", "evaluations")


def category_levels(filters: Filters, scope: Scope) -> tuple[list[Row], list[Row]]:
    """(every category, every item with data), sorted by code, with their item-score average (/5).

    Keys: ``code`` (``code_parent`` too for items), ``libelle``, ``moyenne``, ``items``, ``evaluations``.
    Every known category (CAEV; only the chosen ones under ``code_categorie``) is listed, ``moyenne`` None
    when it has no item; codes unknown to ``tab_par_codification`` are kept, labelled by their code.
    """
    rows = category_rows(filters, scope)
    known = {code: label for code, label, _ in codes.catalogue("CAEV")}
    if filters.code_categorie:
        known = {code: label for code, label in known.items() if code in filters.code_categorie}
    top = {row[0]: row for row in rows if row[1] is None}
    parents = []
    for code in sorted(set(known) | set(top)):
        row = top.get(code)
        label = _label(row[2] if row else None, known.get(code) or code)
        parents.append({"code": code, "libelle": label, **_measures(row)})
    children = [
        {"code_parent": row[0], "code": row[1], "libelle": _label(row[3], row[1]), **_measures(row)}
        for row in sorted((row for row in rows if row[1] is not None), key=lambda row: (row[0], row[1]))
    ]
    return parents, children


def _measures(row: tuple[Any, ...] | None) -> Row:
    """``moyenne``, ``items`` and ``evaluations`` of a category row (zeros and None when there is none)."""
    items, points, count = (row[4], row[5], row[6]) if row else (0, 0.0, 0)
    return {"moyenne": mean(points, items), "items": items, "evaluations": count}


def category_tables(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``category_levels`` as DataFrames (the page's drill chart)."""
    parents, children = category_levels(filters, scope)
    columns = ["code", "libelle", *MEASURES]
    return pd.DataFrame(parents, columns=columns), pd.DataFrame(children, columns=["code_parent", *columns])


def _label(label: Any, fallback: str) -> str:
    """A label from the codification table, else ``fallback`` (the code)."""
    return label if isinstance(label, str) and label else fallback
