"""The contact fact materialised in a replica version (``fait_contact``, see ``data.source.fact``): built with each
full build, its rows replaced for the visits an incremental refresh re-reads.

The first-occurrence flags are computed in one window pass per visit: a flag is 1 where no earlier contact of
the visit (in partner order) has the same keys. The table is sorted by visit date, so that a period reads only
the row groups it needs; a copy sorted by rep then date (``fait_contact_delegue``) serves the slices of a few
reps. A third table sums it per rep and day (``fait_activite_jour``): a refresh counts again the (rep, day) sums of
the visits it rebuilds, before and after.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from data.source.fact import DAY_COUNTS, FLAGS, OUTCOME_CODES, TABLE, TABLE_BY_REP, TABLE_DAYS, fact_select

#: The temporary table of the visits whose fact rows a refresh rebuilds (see ``mark_stale``).
STALE = "fact_stale"
#: The (rep, day) pairs whose sums a refresh counts again (those of the stale visits, before and after).
STALE_DAYS = "fact_stale_days"
#: Stands for NULL in the flags' keys (NULLs are equal there, as in a GROUP BY).
_NULL = "\x01"
WINDOWS = (
    "WINDOW w AS (PARTITION BY id_visite ORDER BY id_partenaire NULLS FIRST), "
    "earlier AS (PARTITION BY id_visite ORDER BY id_partenaire NULLS FIRST "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
)


def _select_sql(visit_ids: Any = None) -> str:
    """The fact's ``SELECT`` over the replica's copies of the CRM tables, as DuckDB SQL."""
    from duckdb_engine import Dialect

    stmt = fact_select(visit_ids=visit_ids)
    return str(stmt.compile(dialect=Dialect(), compile_kwargs={"literal_binds": True}))


def _flags_sql() -> str:
    """The flag columns: 1 where no earlier contact of the visit has the same keys."""
    out = []
    for flag, keys in FLAGS.items():
        if not keys:
            out.append(f"(row_number() OVER w = 1)::UTINYINT AS {flag}")
            continue
        key = " || '|' || ".join(f"coalesce(CAST({k} AS VARCHAR), '{_NULL}')" for k in keys)
        out.append(f"(NOT coalesce(list_contains(list({key}) OVER earlier, {key}), false))::UTINYINT AS {flag}")
    return ", ".join(out)


def _rows_sql(visit_ids: Any = None) -> str:
    return f"SELECT *, {_flags_sql()} FROM ({_select_sql(visit_ids)}) c {WINDOWS} ORDER BY date_visite"


def _days_sql(where: str = "") -> str:
    """The fact summed per rep and day (``data.source.fact.DAYS``), for the days ``where`` selects."""
    counts = [
        "sum(p_visite)",
        "sum(CASE WHEN potentiel_fort = 1 THEN p_fort ELSE 0 END)",
        "sum(CASE WHEN code_type_visite = 'PLAN' THEN p_visite ELSE 0 END)",
        "sum(CASE WHEN code_type_visite = 'PLAN' AND code_statut_visite = 'REAL' THEN p_visite ELSE 0 END)",
        *(f"sum(CASE WHEN code_statut_visite = '{code}' THEN p_visite ELSE 0 END)" for code in OUTCOME_CODES),
    ]
    return (
        "SELECT id_utilisateur, CAST(CAST(date_visite AS DATE) AS TIMESTAMP) AS date_visite, max(role) AS role, "
        + ", ".join(f"CAST({count} AS INTEGER) AS {name}" for count, name in zip(counts, DAY_COUNTS, strict=True))
        + f" FROM {TABLE} {where} GROUP BY 1, 2"
    )


def build(replica: Any) -> int:
    """Create the fact in a replica version being built (a DuckDB connection); its row count."""
    replica.execute(f"CREATE OR REPLACE TABLE {TABLE} AS {_rows_sql()}")
    replica.execute(
        f"CREATE OR REPLACE TABLE {TABLE_BY_REP} AS SELECT * FROM {TABLE} ORDER BY id_utilisateur, date_visite"
    )
    replica.execute(f"CREATE OR REPLACE TABLE {TABLE_DAYS} AS {_days_sql()} ORDER BY 2, 1")
    (rows,) = replica.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    return int(rows)


def mark_stale(replica: Any, stale: str, params: list[Any]) -> None:
    """Note the visits ``stale`` selects (SQL returning ``id_visite``) as to rebuild: call it before their rows
    of the CRM tables are replaced (deleted visits must leave the fact too)."""
    replica.execute(f"CREATE OR REPLACE TEMP TABLE {STALE} AS {stale}", params)


def refresh(replica: Any) -> int:
    """Rebuild the fact rows of the visits marked stale and of those whose partner's or rep's current
    attributes changed (the small tables are copied again). Call once the CRM tables are up to date; a visit's
    flags depend on its own contacts only. The number of visits rebuilt."""
    replica.execute(
        f"""INSERT INTO {STALE}
        SELECT f.id_visite FROM {TABLE} f
        LEFT JOIN tab_partenaire p ON p.id_partenaire = f.id_partenaire
        LEFT JOIN tab_par_codification e ON e.code_codification = p.code_type_etablissement
            AND e.type_codification IN ('ETPR', 'ETPU')
        WHERE f.id_partenaire IS NOT NULL AND (
            f.statut_partenaire IS DISTINCT FROM p.code_statut_partenaire
            OR f.potentiel IS DISTINCT FROM trim(p.code_potentiel)
            OR f.etablissement IS DISTINCT FROM e.type_codification)
        UNION ALL
        SELECT f.id_visite FROM {TABLE} f
        LEFT JOIN tab_utilisateur u ON u.id_utilisateur = f.id_utilisateur
        WHERE f.role IS DISTINCT FROM u.role"""
    )
    # the (rep, day) sums the stale visits are in, before and after: counted again from the fact once it is done
    days_of_stale = (
        f"SELECT DISTINCT id_utilisateur, CAST(date_visite AS DATE) AS jour FROM {TABLE}"
        f" WHERE id_visite IN (SELECT id_visite FROM {STALE})"
    )
    replica.execute(f"CREATE OR REPLACE TEMP TABLE {STALE_DAYS} AS {days_of_stale}")
    for table in (TABLE, TABLE_BY_REP):
        replica.execute(f"DELETE FROM {table} WHERE id_visite IN (SELECT id_visite FROM {STALE})")
    ids = sa.select(sa.table(STALE, sa.column("id_visite")).c.id_visite)
    replica.execute(f"INSERT INTO {TABLE} {_rows_sql(ids)}")
    replica.execute(  # appended: they stay grouped at the end until the next full build sorts them in
        f"INSERT INTO {TABLE_BY_REP} SELECT * FROM {TABLE} WHERE id_visite IN (SELECT id_visite FROM {STALE})"
        " ORDER BY id_utilisateur, date_visite"
    )
    replica.execute(f"INSERT INTO {STALE_DAYS} {days_of_stale}")

    def stale_day(table: str) -> str:  # NULL reps (a visit without one) are a rep of their own, as in GROUP BY
        return (
            f"EXISTS (SELECT 1 FROM {STALE_DAYS} s WHERE s.id_utilisateur IS NOT DISTINCT FROM {table}.id_utilisateur"
            f" AND s.jour = CAST({table}.date_visite AS DATE))"
        )

    replica.execute(f"DELETE FROM {TABLE_DAYS} WHERE {stale_day(TABLE_DAYS)}")
    replica.execute(f"INSERT INTO {TABLE_DAYS} {_days_sql('WHERE ' + stale_day(TABLE))}")
    replica.execute(f"DROP TABLE {STALE_DAYS}")
    (count,) = replica.execute(f"SELECT count(DISTINCT id_visite) FROM {STALE}").fetchone()
    replica.execute(f"DROP TABLE {STALE}")
    return int(count)
