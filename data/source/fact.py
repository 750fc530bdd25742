"""The contact fact's definition: one row per non-deleted visit × partner, every column the metrics read.

A visit without partner keeps one row (the left join). Columns: the visit's own (date, rep, manager at the
time, type, status, form, accompaniment), the rep's current role, the partner snapshot on the visit (type, région,
ville, gamme, spécialité), the partner's current attributes (status, trimmed potential, establishment kind).

``fact_select`` is the fact as a SELECT over the CRM tables; ``FACT`` the replica's table ``fait_contact``
(built by ``data.source.fact_table``), with the *first-occurrence flags* of ``FLAGS``. The metrics read either
through ``data.metrics.facts.rows``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from data.source.schema import codification, partenaire, partenaire_visite, utilisateur, visite

V = visite.alias("v")
PV = partenaire_visite.alias("pv")
DELETED = "SUPP"
#: Potentials counted as high (trimmed codes).
HIGH_POTENTIAL = ("A+", "A")
TABLE = "fait_contact"
#: The same rows sorted by rep, then date: a rep's or a team's slice reads only its row groups (one rep over
#: the whole period at 10M visits: 7 ms instead of 52 for a statement).
TABLE_BY_REP = "fait_contact_delegue"
#: Per rep and day, the visit counts of a rep's activity (``fait_activite_jour``, see ``DAYS``).
TABLE_DAYS = "fait_activite_jour"
#: Written in a replica version's metadata when it holds the tables as defined here.
TABLE_VERSION = "5"  # 3: code_statut_visite (visit outcomes, issue 13); 4: the table per rep and day; 5: its role
#: Visit outcomes (``code_statut_visite``) counted apart; SUPP visits are not in the fact.
OUTCOME_CODES = ("REAL", "ABSE", "REPL", "ENAT")
#: Flag -> the columns whose (visit, columns) groups it marks once; ``p_visite`` marks each visit once.
FLAGS: dict[str, tuple[str, ...]] = {
    "p_visite": (),
    "p_type": ("code_type_partenaire",),
    "p_etablissement": ("etablissement",),
    "p_region": ("code_region_partenaire",),
    "p_ville": ("code_region_partenaire", "code_ville_partenaire"),
    "p_gamme": ("code_gamme_partenaire",),
    "p_specialite": ("code_gamme_partenaire", "code_specialite_partenaire"),
    "p_statut": ("statut_partenaire",),
    "p_potentiel": ("potentiel",),
    "p_fort": ("potentiel_fort",),
}


class day(FunctionElement[dt.date]):  # noqa: N801 (SQL function style)
    """The calendar day of a DATETIME, portable across SQLite, MySQL and DuckDB."""

    type = sa.Date()
    name = "day"
    inherit_cache = True


@compiles(day)
def _day_default(element: day, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(day, "sqlite")
@compiles(day, "mysql")
@compiles(day, "mariadb")
def _day_date(element: day, compiler: Any, **kw: Any) -> str:
    return f"DATE({compiler.process(element.clauses, **kw)})"


def fact_select(where: list[sa.ColumnElement[bool]] | None = None, visit_ids: Any = None) -> sa.Select[Any]:
    """The fact's rows over the CRM tables, without flags: the visits matching ``where`` (conditions on ``V`` and
    ``PV``; default: not deleted) and, if given, among those the ``visit_ids`` (a selectable of ids)."""
    p = partenaire.alias("p")
    u = utilisateur.alias("u")
    etab = codification.alias("etab")
    potential = sa.func.trim(p.c.code_potentiel)
    source = (
        V.outerjoin(PV, PV.c.id_visite == V.c.id_visite)
        .outerjoin(p, p.c.id_partenaire == PV.c.id_partenaire)
        .outerjoin(  # at most one row: codes are unique across types (uq_codif_code)
            etab,
            sa.and_(
                etab.c.code_codification == p.c.code_type_etablissement,
                etab.c.type_codification.in_(("ETPR", "ETPU")),
            ),
        )
        .outerjoin(u, u.c.id_utilisateur == V.c.id_utilisateur)
    )
    columns: list[sa.ColumnElement[Any]] = [V.c[name] for name in VISIT_COLUMNS]
    columns += [u.c.role, *(PV.c[name] for name in CONTACT_COLUMNS)]
    columns += [
        p.c.code_statut_partenaire.label("statut_partenaire"),
        potential.label("potentiel"),
        sa.case((potential.in_(HIGH_POTENTIAL), 1), else_=0).label("potentiel_fort"),
        etab.c.type_codification.label("etablissement"),
    ]
    conditions = list(where) if where is not None else [V.c.code_statut_visite != DELETED]
    if visit_ids is not None:
        conditions.append(V.c.id_visite.in_(visit_ids))
    return sa.select(*columns).select_from(source).where(*conditions)


VISIT_COLUMNS = (
    "id_visite", "date_visite", "id_utilisateur", "id_responsable", "code_type_visite", "type_visite",
    "flag_accompagnee", "code_statut_visite",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id_partenaire", "code_type_partenaire", "code_region_partenaire", "code_ville_partenaire",
    "code_gamme_partenaire", "code_specialite_partenaire",
)  # fmt: skip


def _table(name: str) -> sa.Table:
    """A materialised copy of the fact, as statements see it."""
    return sa.Table(
        name,
        sa.MetaData(),
        *(sa.Column(column.name, column.type) for column in fact_select().selected_columns),
        *(sa.Column(flag, sa.Integer) for flag in FLAGS),
    )


#: The replica's tables: sorted by visit date, and by rep then date.
FACT = _table(TABLE)
FACT_BY_REP = _table(TABLE_BY_REP)
#: The fact summed per rep and day (sorted by day): a rep's activity without a contact-level or cross filter is
#: read there (54 000 rows at 1M visits instead of a million contacts). ``date_visite`` is the day at midnight,
#: so that the period conditions on the fact apply unchanged; ``role`` is the rep's current role, as in the fact;
#: every count is of distinct visits (``p_visite``): ``visites``, ``visites_potentiel_fort`` (visits to an A+/A
#: partner), ``planifiees`` (PLAN), ``planifiees_realisees`` (PLAN and REAL), and per outcome ``issue_<code>``.
DAY_COUNTS = (
    "visites", "visites_potentiel_fort", "planifiees", "planifiees_realisees",
    *(f"issue_{code}" for code in OUTCOME_CODES),
)  # fmt: skip
DAYS = sa.Table(
    TABLE_DAYS,
    sa.MetaData(),
    sa.Column("id_utilisateur", sa.Integer),
    sa.Column("date_visite", sa.DateTime),
    sa.Column("role", sa.String(6)),
    *(sa.Column(name, sa.Integer) for name in DAY_COUNTS),
)
