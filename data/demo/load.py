"""Loading the generated columns: multi-row inserts of ``_CHUNK`` rows in one transaction, or LOAD DATA LOCAL
INFILE on MariaDB when the server allows it."""

from __future__ import annotations

import csv
import tempfile
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data.demo.common import Cols
from data.source import schema

_CHUNK = 20_000


def _plain(values: np.ndarray) -> list[Any]:
    """Python values (int, float, str, datetime, None) that every DB-API driver can bind."""
    if values.dtype.kind == "M":
        values = values.astype("datetime64[us]")
    return values.tolist()


def _insert(conn: sa.Connection, table: sa.Table, cols: Cols) -> int:
    """Insert the column arrays in multi-row chunks; return the row count."""
    names = list(cols)
    total = len(cols[names[0]])
    for lo in range(0, total, _CHUNK):
        chunk = [_plain(np.asarray(cols[name][lo : lo + _CHUNK])) for name in names]
        conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in zip(*chunk, strict=True)])
    return total


def _load(engine: sa.Engine, tables: list[tuple[sa.Table, Cols]]) -> dict[str, int]:
    """Drop and re-create the CRM tables (never the dash_ ones), then load them in one transaction."""
    mysql = engine.dialect.name in ("mysql", "mariadb")
    if mysql:  # LOAD DATA LOCAL INFILE needs the client's consent: a connect argument, so an engine of its own
        engine = sa.create_engine(
            engine.url, connect_args={"local_infile": True, "charset": "utf8mb4", "connect_timeout": 5}
        )
    with engine.begin() as conn:
        if mysql:  # bulk load: the generator already guarantees keys and references
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=0, UNIQUE_CHECKS=0")
        try:
            schema.crm_metadata.drop_all(conn)
            schema.crm_metadata.create_all(conn)
            if mysql and _infile_allowed(conn):
                return {table.name: _load_infile(conn, table, cols) for table, cols in tables}
            return {table.name: _insert(conn, table, cols) for table, cols in tables}
        finally:
            if mysql:
                conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=1, UNIQUE_CHECKS=1")


def _infile_allowed(conn: sa.Connection) -> bool:
    """Does the MySQL/MariaDB server accept ``LOAD DATA LOCAL INFILE``?"""
    value = conn.exec_driver_sql("SELECT @@GLOBAL.local_infile").scalar()
    return str(value) in ("1", "ON")


def _load_infile(conn: sa.Connection, table: sa.Table, cols: Cols) -> int:
    """Load the column arrays with ``LOAD DATA LOCAL INFILE`` from a temporary tab-separated file (ten times
    faster than multi-row inserts, whose cost is the driver escaping every value in Python); the row count."""
    names = list(cols)
    frame = pd.DataFrame({name: _plain_array(np.asarray(cols[name])) for name in names})
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8", newline="\n") as tsv:
        # No escaping: generated values never hold a tab, a newline or a backslash (the writer raises if one
        # would need it), and \N is MySQL's NULL.
        frame.to_csv(tsv, sep="\t", header=False, index=False, na_rep="\\N", lineterminator="\n",
                     quoting=csv.QUOTE_NONE, quotechar="\x1f", date_format="%Y-%m-%d %H:%M:%S")  # fmt: skip
        tsv.flush()
        columns = ", ".join(f"`{name}`" for name in names)
        conn.exec_driver_sql(
            f"LOAD DATA LOCAL INFILE %s INTO TABLE `{table.name}` CHARACTER SET utf8mb4 "
            f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({columns})",
            (tsv.name,),
        )
    return len(frame)


def _plain_array(values: np.ndarray) -> np.ndarray:
    """A column the TSV writer formats as MySQL reads it (datetimes to the second)."""
    if values.dtype.kind == "M":
        return values.astype("datetime64[s]")
    return values
