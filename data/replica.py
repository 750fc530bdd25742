"""The columnar replica: a DuckDB copy of the CRM columns the metrics read, built aside and swapped in whole.

A build writes ``<path>.building`` and renames it over ``<path>`` only once every table is complete, so a
reader never sees a half-built replica and a failed build leaves the previous one in place.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy as sa

from data.schema import crm_metadata

log = logging.getLogger(__name__)
CHUNK_ROWS = 200_000

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


def url(path: Path) -> str:
    """The SQLAlchemy URL of a replica file."""
    return f"duckdb:///{path}"


def build(source: sa.Engine, path: Path) -> dict[str, int]:
    """Build the replica of ``source`` at ``path`` (atomically replaced); the row count of each table."""
    started = time.perf_counter()
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    try:
        with duckdb.connect(str(building)) as replica, source.connect() as conn:
            for name, columns in COLUMNS.items():
                counts[name] = _copy_table(conn, replica, name, columns)
        os.replace(building, path)
    except BaseException:
        building.unlink(missing_ok=True)
        raise
    log.info("replica built in %.1f s: %s", time.perf_counter() - started, counts)
    return counts


def _copy_table(conn: sa.Connection, replica: duckdb.DuckDBPyConnection, name: str, columns: tuple[str, ...]) -> int:
    """Copy one table in chunks of rows (typed by SQLAlchemy, moved as DataFrames); its row count."""
    table = crm_metadata.tables[name]
    stmt = sa.select(*(table.c[column] for column in columns))
    rows = 0
    chunks = pd.read_sql(stmt, conn, chunksize=CHUNK_ROWS, dtype_backend="numpy_nullable")
    for index, chunk in enumerate(chunks):
        replica.register("chunk", chunk)
        replica.execute(
            f"CREATE TABLE {name} AS SELECT * FROM chunk" if index == 0 else f"INSERT INTO {name} SELECT * FROM chunk"
        )
        replica.unregister("chunk")
        rows += len(chunk)
    if rows == 0:  # an empty table still needs its columns
        empty = pd.DataFrame({column: pd.Series(dtype="object") for column in columns})
        replica.register("chunk", empty)
        replica.execute(f"CREATE TABLE {name} AS SELECT * FROM chunk")
        replica.unregister("chunk")
    return rows
