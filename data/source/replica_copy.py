"""Reading the CRM into a replica version: the columns each table contributes, whole copies (connectorx for a
MySQL/MariaDB/PostgreSQL source), the incremental changes of the big tables, and the version's metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import warnings
from collections.abc import Iterator
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa

from data.source import fact_table
from data.source.fact import TABLE_VERSION as FACT_VERSION
from data.source.schema import crm_metadata

log = logging.getLogger(__name__)


CHUNK_ROWS = 200_000


META = "_mediviz_replica"


#: The columns each CRM table contributes (what the statements of data/ read; no free text, no contacts).
COLUMNS: dict[str, tuple[str, ...]] = {
    "tab_par_codification": (
        "type_codification", "code_codification", "libelle_codification", "ordre_codification",
        "type_parent", "code_parent",
    ),
    "tab_utilisateur": (
        "id_utilisateur", "nom_utilisateur", "prenom_utilisateur", "role", "id_responsable",
        "code_statut_utilisateur",
    ),
    "tab_partenaire": (
        "id_partenaire", "code_type_partenaire", "nom_partenaire", "prenom_partenaire", "code_potentiel",
        "code_statut_partenaire", "code_type_etablissement", "code_specialite", "code_gamme",
        "code_region_partenaire", "code_ville_partenaire",
    ),
    "tab_visite": (
        "id_visite", "id_utilisateur", "id_responsable", "code_type_visite", "code_statut_visite", "type_visite",
        "flag_accompagnee", "date_visite",
    ),
    "tab_partenaire_visite": (
        "id_visite", "id_partenaire", "code_region_partenaire", "code_ville_partenaire", "code_type_partenaire",
        "code_gamme_partenaire", "code_specialite_partenaire",
    ),
    "tab_evaluation": (
        "id", "id_createur", "id_utilisateur_evalue", "points_obtenu", "points_total", "date_integration",
    ),
    "tab_evaluation_detailed": (
        "id", "id_evaluation", "code_categorie", "code_sous_categorie", "point_obtenu", "point_sur",
    ),
    "tab_partenaire_bc": (
        "id_business_case", "id_partenaire", "id_utilisateur", "id_responsable", "code_statut_bc",
        "code_type_investissement", "code_categorie_investissement", "budget", "date_creation",
        "date_realisation",
    ),
}  # fmt: skip


#: The two big tables, refreshed incrementally; every other table is small and copied whole at each refresh.
VISITS, CONTACTS = "tab_visite", "tab_partenaire_visite"


def select(name: str) -> sa.Select[Any]:
    table = crm_metadata.tables[name]
    return sa.select(*(table.c[column] for column in COLUMNS[name]))


#: Source dialects read with connectorx (Rust, straight into numpy columns): 8 times faster than rows parsed
#: by a pure-Python driver (1M visits: 2.5 s instead of 20 s). Its Arrow output would be faster still, but
#: pyarrow costs every worker 50 MB of memory once installed (pandas then imports it).
FAST_DIALECTS = {"mysql": "mysql", "mariadb": "mysql", "postgresql": "postgresql"}


def fetch(conn: sa.Connection, stmt: sa.Select[Any]) -> Iterator[pd.DataFrame]:
    """The rows of ``stmt`` as DataFrames (whole with connectorx; in chunks from any other source)."""
    scheme = FAST_DIALECTS.get(conn.dialect.name)
    if scheme is not None:
        import connectorx

        sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        source = conn.engine.url.set(drivername=scheme, query={}).render_as_string(hide_password=False)
        with warnings.catch_warnings():  # connectorx 0.4 builds its frames with pandas' deprecated make_block
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.filterwarnings("ignore", message="make_block is deprecated")
            frame = connectorx.read_sql(source, sql, return_type="pandas")
        yield frame
        return
    yield from pd.read_sql(stmt, conn, chunksize=CHUNK_ROWS, dtype_backend="numpy_nullable")


def copy_table(conn: sa.Connection, replica: duckdb.DuckDBPyConnection, name: str, columns: tuple[str, ...]) -> int:
    """(Re-)create one table of the replica from the CRM's rows; its row count."""
    replica.execute(f"DROP TABLE IF EXISTS {name}")
    rows = 0
    created = False
    for chunk in fetch(conn, select(name)):
        if len(chunk) or not created:
            insert(replica, name, chunk, create=not created)
            created = True
        rows += len(chunk)
    if not created:  # an empty table still needs its columns
        empty = pd.DataFrame({column: pd.Series(dtype="object") for column in columns})
        insert(replica, name, empty, create=True)
    return rows


def insert(replica: duckdb.DuckDBPyConnection, name: str, rows: pd.DataFrame, *, create: bool = False) -> None:
    """Create table ``name`` from ``rows`` (a DataFrame), or append them to it."""
    replica.register("chunk", rows)
    try:
        if create:
            replica.execute(f"CREATE TABLE {name} AS SELECT * FROM chunk")
        else:
            replica.execute(f"INSERT INTO {name} BY NAME SELECT * FROM chunk")
    finally:
        replica.unregister("chunk")


def read_all(conn: sa.Connection, stmt: sa.Select[Any]) -> pd.DataFrame:
    """Every row of ``stmt`` as one DataFrame (the deltas of a refresh are small)."""
    parts = list(fetch(conn, stmt))
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True)


#: Up to this many changed visits, their contacts are read by id; more (a mass update), by the window again.
CHANGED_BY_ID = 20_000


def apply_changes(conn: sa.Connection, replica: duckdb.DuckDBPyConnection, since: dt.datetime) -> bool:
    """Apply the CRM's changes to a copy of the replica; False when its counts then differ from the CRM's.

    The visits that are new or dated since ``since`` are read; only those that differ from the replica's rows
    (new, changed, gone) have their contacts read and their fact rows rebuilt. A contact changed in place while
    its visit stayed the same waits for the next full build (``FULL_REFRESH_HOURS``); one added or removed
    shows in the counts, which then call for a full build at once.
    """
    visite = crm_metadata.tables[VISITS]
    contact = crm_metadata.tables[CONTACTS]
    (watermark,) = replica.execute(f"SELECT coalesce(max(id_visite), 0) FROM {VISITS}").fetchall()[0]
    window = (visite.c.id_visite > watermark) | (visite.c.date_visite >= since)
    visits = read_all(conn, select(VISITS).where(window))
    replica.register("fresh", visits)
    try:
        listed = ", ".join(COLUMNS[VISITS])
        changed = replica.execute(
            f"SELECT id_visite FROM (SELECT {listed} FROM fresh EXCEPT SELECT {listed} FROM {VISITS}"
            f" WHERE id_visite > ? OR date_visite >= ?) UNION"
            f" SELECT id_visite FROM {VISITS} WHERE (id_visite > ? OR date_visite >= ?)"
            f" AND id_visite NOT IN (SELECT id_visite FROM fresh)",
            [watermark, since, watermark, since],
        ).fetchall()
        ids = sorted(int(row[0]) for row in changed)
        if len(ids) <= CHANGED_BY_ID:
            wanted: Any = ids
        else:
            wanted = sa.select(visite.c.id_visite).where(window)
        contacts = read_all(conn, select(CONTACTS).where(contact.c.id_visite.in_(wanted))) if ids else visits[:0]
        replica.register("changed", pd.DataFrame({"id_visite": pd.Series(ids, dtype="int64")}))
        fact_table.mark_stale(replica, "SELECT id_visite FROM changed", [])  # before the rows leave the tables
        for name in (CONTACTS, VISITS):
            replica.execute(f"DELETE FROM {name} WHERE id_visite IN (SELECT id_visite FROM {fact_table.STALE})")
        fresh = visits[visits["id_visite"].isin(ids)] if len(ids) < len(visits) else visits
    finally:
        replica.unregister("fresh")
        replica.unregister("changed")
    if len(fresh):
        insert(replica, VISITS, fresh)
    if len(contacts):
        insert(replica, CONTACTS, contacts)
    for name, columns in COLUMNS.items():
        if name not in (VISITS, CONTACTS):
            copy_table(conn, replica, name, columns)
    fact_table.refresh(replica)
    for name in (VISITS, CONTACTS):
        table = crm_metadata.tables[name]
        source_rows = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        (replica_rows,) = replica.execute(f"SELECT count(*) FROM {name}").fetchall()[0]
        if source_rows != replica_rows:
            log.info("replica: %s has %d rows in the CRM, %d in the replica", name, source_rows, replica_rows)
            return False
    return True


def finish(replica: duckdb.DuckDBPyConnection, kind: str, started: float, full_built_at: str | None = None) -> str:
    """Write the version's metadata (with its content signature) and checkpoint it; the signature."""
    digest = hashlib.sha1()
    for name in COLUMNS:
        row = replica.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {name} t").fetchall()[0]
        digest.update(f"{name}:{row}\n".encode())
    signature = digest.hexdigest()[:16]
    meta = {
        "signature": signature,
        "kind": kind,
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "full_built_at": full_built_at or dt.datetime.now().isoformat(timespec="seconds"),
        "seconds": f"{time.perf_counter() - started:.2f}",
        "fact": FACT_VERSION,  # the version holds the contact fact's table (data.source.fact)
    }
    replica.execute(f"CREATE OR REPLACE TABLE {META} (key VARCHAR, value VARCHAR)")
    replica.executemany(f"INSERT INTO {META} VALUES (?, ?)", list(meta.items()))
    replica.execute("CHECKPOINT")
    return signature
