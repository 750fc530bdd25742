"""Statement builders are pure: they compile on every dialect with bound parameters only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from data.metrics import visites
from data.metrics.filters import Filters
from data.source.fact import DELETED

NASTY = "RE00001') OR 1=1 --"


def _compile(stmt: sa.ClauseElement, dialect: sa.Dialect) -> sa.engine.Compiled:
    return stmt.compile(dialect=dialect)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), mysql.dialect()], ids=["sqlite", "mysql"])
def test_filter_values_are_bound_never_inlined(dialect: sa.Dialect) -> None:
    filters = Filters(region=("RE00009",), gamme=("GA00007",), annee=2024, mois=2)
    compiled = _compile(visites.counters_stmt(filters, (3, 4)), dialect)
    sql = str(compiled)
    for literal in ("RE00009", "GA00007", "2024"):
        assert literal not in sql
    assert "RE00009" in str(compiled.params) or any("RE00009" in str(v) for v in compiled.params.values())


def test_deleted_visits_are_always_excluded() -> None:
    compiled = _compile(visites.timeline_stmt(Filters(), None), sqlite.dialect())
    assert "code_statut_visite !=" in str(compiled)
    assert DELETED in compiled.params.values()


def test_no_user_restriction_without_a_team_or_a_scope() -> None:
    assert "id_utilisateur IN" not in str(_compile(visites.counters_stmt(Filters(), None), sqlite.dialect()))
    assert "id_utilisateur IN" in str(_compile(visites.counters_stmt(Filters(), (1,)), sqlite.dialect()))


def test_day_truncation_is_portable() -> None:
    stmt = visites.timeline_stmt(Filters(), None)  # over the contact fact, as subquery f
    assert "DATE(f.date_visite)" in str(_compile(stmt, sqlite.dialect()))
    assert "DATE(f.date_visite)" in str(_compile(stmt, mysql.dialect()))
    assert "CAST(f.date_visite AS DATE)" in str(stmt.compile(dialect=postgresql.dialect()))


def test_a_year_and_a_month_become_an_index_friendly_range() -> None:
    sql = str(_compile(visites.counters_stmt(Filters(annee=2025, mois=12), None), sqlite.dialect()))
    assert "v.date_visite >=" in sql and "v.date_visite <" in sql
    assert "strftime" not in sql.lower()
    month_only = str(_compile(visites.counters_stmt(Filters(mois=12), None), sqlite.dialect()))
    assert "strftime" in month_only.lower()
