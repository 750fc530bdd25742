"""The columnar replica: a DuckDB copy of the CRM columns the metrics read, refreshed and swapped in whole.

Layout, beside the configured path (``REPLICA_PATH``, say ``instance/replica.duckdb``):

* ``replica.duckdb`` is a symbolic link to the version being served, ``replica.duckdb.v<stamp>``;
* every refresh writes a new version file and then swaps the link with one ``rename`` (atomic): a reader
  never sees a half-built replica, a failed refresh leaves the old version serving, and a reader that has the
  old file open keeps reading it until it notices the new link (every version has a path of its own, so
  DuckDB's per-process instance cache can never hand out a stale one);
* ``replica.duckdb.status.json`` says when the CRM was last read, by whom, and the last error if any.

A version carries its own metadata (table ``_mediviz_replica``): when it was built, how (full or incremental)
and its content signature (row count and a hash of every row of every table). The signature is the data
version of the cache keys: two hosts that read the same CRM content share cached results, and a refresh
that finds nothing new keeps every cached result valid.

An incremental refresh copies the current version, then replaces in it the visits (and their contacts) that
are new (``id_visite`` above the replica's highest) or dated within the last ``window_days`` days (recent
and planned visits are the ones whose status still changes), and every small table whole (users, partners,
codes, evaluations, business cases). If the row counts then differ from the CRM's (rows deleted or changed
outside the window), it falls back to a full build.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import socket
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa

from data import fact_table
from data.facts import TABLE as FACT_TABLE
from data.facts import TABLE_VERSION as FACT_VERSION
from data.schema import crm_metadata

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


class RefreshError(RuntimeError):
    """A refresh that could not complete (the served version is unchanged)."""


def url(path: Path) -> str:
    """The SQLAlchemy URL of a replica file."""
    return f"duckdb:///{path}"


def current(path: Path) -> Path | None:
    """The version file served at ``path`` (the link's target; ``path`` itself if it is a plain file); None if
    there is none, or if the link points at a file that is gone (it is then rebuilt)."""
    try:
        if path.is_symlink():
            target = path.with_name(os.readlink(path))
            return target if target.exists() else None
        return path if path.exists() else None
    except FileNotFoundError:
        return None


def previous(path: Path) -> Path | None:
    """The version served before the current one, kept on disk until the next refresh (a fallback)."""
    return current(_previous_link(path))


def _previous_link(path: Path) -> Path:
    return path.with_name(path.name + ".previous")


def readable(version: Path) -> bool:
    """Can ``version`` be opened and its metadata read (not deleted, truncated or otherwise damaged)?"""
    try:
        metadata(version)
    except duckdb.ConnectionException as exc:  # open in this process with other settings: it was readable
        return "different configuration" in str(exc)
    except Exception:  # noqa: BLE001 - whatever DuckDB says about a damaged file
        return False
    return True


def metadata(version: Path) -> dict[str, str]:
    """The metadata of a version file (``built_at``, ``kind``, ``signature``, …)."""
    with duckdb.connect(str(version), read_only=True) as conn:
        return dict(conn.execute(f"SELECT key, value FROM {META}").fetchall())


def status(path: Path) -> dict[str, Any]:
    """The last refresh's status (``checked_at``, ``ok``, ``error``, …); empty before the first one."""
    try:
        loaded: dict[str, Any] = json.loads(_status_path(path).read_text())
        return loaded
    except (FileNotFoundError, ValueError):
        return {}


#: Seconds a build waits for another one to finish before giving up (it is then reported, not queued forever).
LOCK_WAIT = 600.0


@contextmanager
def build_lock(path: Path, wait: float | None = None) -> Iterator[None]:
    """One build at a time per replica on this host (the refresher's child, the CLI).

    The wait is bounded: a build that cannot have the lock within ``wait`` seconds fails with the holder's
    process id and since when (the refresh job's own deadline means no holder keeps it for ever).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    with open(path.with_name(path.name + ".lock"), "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "?"
                    raise RefreshError(f"another build holds the replica's lock ({holder})") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(source: sa.Engine, path: Path) -> dict[str, int]:
    """Build a new version of the replica of ``source`` from scratch and serve it; the row count per table."""
    with build_lock(path):
        return _build(source, path)


def refresh(source: sa.Engine, path: Path, *, window_days: int = 31, now: dt.datetime | None = None) -> str:
    """Bring the replica up to date incrementally (a full build when there is none yet, or when the counts
    show changes outside the window); what was done: ``"full"``, ``"incremental"`` or ``"unchanged"``."""
    with build_lock(path):
        return _refresh(source, path, window_days=window_days, now=now)


def ensure(source: sa.Engine, path: Path) -> None:
    """Build the replica if there is none yet (workers starting together build it once)."""
    if current(path) is None:
        with build_lock(path):
            if current(path) is None:  # another process may have built it while this one waited
                _build(source, path)


def _build(source: sa.Engine, path: Path) -> dict[str, int]:
    started = time.perf_counter()
    target = _new_version(path)
    try:
        with duckdb.connect(str(target)) as replica, source.connect() as conn:
            counts = {name: _copy_table(conn, replica, name, columns) for name, columns in COLUMNS.items()}
            counts[FACT_TABLE] = fact_table.build(replica)
            _finish(replica, "full", started)
    except BaseException as exc:
        _discard(target)
        _write_status(path, ok=False, kind="full", error=_describe(exc))
        raise
    _publish(path, target)
    _write_status(path, ok=True, kind="full", seconds=time.perf_counter() - started, rows=counts)
    log.info("replica: full build in %.1f s: %s", time.perf_counter() - started, counts)
    return counts


def _refresh(source: sa.Engine, path: Path, *, window_days: int, now: dt.datetime | None) -> str:
    served = current(path)
    if served is None:
        _build(source, path)
        return "full"
    started = time.perf_counter()
    since = (now or dt.datetime.now()) - dt.timedelta(days=window_days)
    target = _new_version(path)
    try:  # a copy of the served version: if it cannot be read (truncated, damaged), a full build repairs it
        shutil.copyfile(served, target)
        replica = duckdb.connect(str(target))
        old = dict(replica.execute(f"SELECT key, value FROM {META}").fetchall())
    except (OSError, duckdb.Error) as exc:
        _discard(target)
        log.error("replica: the served version %s cannot be read (%s); rebuilding in full", served.name, exc)
        _build(source, path)
        return "full"
    try:
        with replica, source.connect() as conn:
            consistent = _apply_changes(conn, replica, since)
            if consistent:
                signature = _finish(replica, "incremental", started, old.get("full_built_at"))
    except BaseException as exc:
        _discard(target)
        _write_status(path, ok=False, kind="incremental", error=_describe(exc))
        raise
    if not consistent:
        _discard(target)
        log.warning("replica: rows changed outside the %d-day window, rebuilding in full", window_days)
        _build(source, path)
        return "full"
    seconds = time.perf_counter() - started
    if signature == old.get("signature"):
        _discard(target)  # nothing new: keep serving the same file (and every cached result stays valid)
        _write_status(path, ok=True, kind="unchanged", seconds=seconds)
        log.info("replica: checked in %.2f s, unchanged", seconds)
        return "unchanged"
    _publish(path, target)
    _write_status(path, ok=True, kind="incremental", seconds=seconds)
    log.info("replica: incremental refresh in %.2f s", seconds)
    return "incremental"


# --- building blocks -------------------------------------------------------------------------------------


def _select(name: str) -> sa.Select[Any]:
    table = crm_metadata.tables[name]
    return sa.select(*(table.c[column] for column in COLUMNS[name]))


#: Source dialects read with connectorx (Rust, straight into numpy columns): 8 times faster than rows parsed
#: by a pure-Python driver (1M visits: 2.5 s instead of 20 s). Its Arrow output would be faster still, but
#: pyarrow costs every worker 50 MB of memory once installed (pandas then imports it).
FAST_DIALECTS = {"mysql": "mysql", "mariadb": "mysql", "postgresql": "postgresql"}


def _fetch(conn: sa.Connection, stmt: sa.Select[Any]) -> Iterator[pd.DataFrame]:
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


def _copy_table(conn: sa.Connection, replica: duckdb.DuckDBPyConnection, name: str, columns: tuple[str, ...]) -> int:
    """(Re-)create one table of the replica from the CRM's rows; its row count."""
    replica.execute(f"DROP TABLE IF EXISTS {name}")
    rows = 0
    created = False
    for chunk in _fetch(conn, _select(name)):
        if len(chunk) or not created:
            _insert(replica, name, chunk, create=not created)
            created = True
        rows += len(chunk)
    if not created:  # an empty table still needs its columns
        empty = pd.DataFrame({column: pd.Series(dtype="object") for column in columns})
        _insert(replica, name, empty, create=True)
    return rows


def _insert(replica: duckdb.DuckDBPyConnection, name: str, rows: pd.DataFrame, *, create: bool = False) -> None:
    """Create table ``name`` from ``rows`` (a DataFrame), or append them to it."""
    replica.register("chunk", rows)
    try:
        if create:
            replica.execute(f"CREATE TABLE {name} AS SELECT * FROM chunk")
        else:
            replica.execute(f"INSERT INTO {name} BY NAME SELECT * FROM chunk")
    finally:
        replica.unregister("chunk")


def _read_all(conn: sa.Connection, stmt: sa.Select[Any]) -> pd.DataFrame:
    """Every row of ``stmt`` as one DataFrame (the deltas of a refresh are small)."""
    parts = list(_fetch(conn, stmt))
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True)


def _apply_changes(conn: sa.Connection, replica: duckdb.DuckDBPyConnection, since: dt.datetime) -> bool:
    """Apply the CRM's changes to a copy of the replica; False when its counts then differ from the CRM's."""
    visite = crm_metadata.tables[VISITS]
    contact = crm_metadata.tables[CONTACTS]
    (watermark,) = replica.execute(f"SELECT coalesce(max(id_visite), 0) FROM {VISITS}").fetchall()[0]
    changed = (visite.c.id_visite > watermark) | (visite.c.date_visite >= since)
    changed_ids = sa.select(visite.c.id_visite).where(changed)
    statements = (_select(VISITS).where(changed), _select(CONTACTS).where(contact.c.id_visite.in_(changed_ids)))
    if conn.dialect.name in FAST_DIALECTS:  # connectorx opens its own connections: both reads at once
        with ThreadPoolExecutor(max_workers=2) as pool:
            visits, contacts = pool.map(lambda stmt: _read_all(conn, stmt), statements)
    else:
        visits, contacts = (_read_all(conn, stmt) for stmt in statements)
    replica.register("fresh", visits)
    try:
        stale = (
            f"SELECT id_visite FROM {VISITS} WHERE id_visite > ? OR date_visite >= ? UNION SELECT id_visite FROM fresh"
        )
        fact_table.mark_stale(replica, stale, [watermark, since])  # computed once, before the rows leave the tables
        for name in (CONTACTS, VISITS):
            replica.execute(f"DELETE FROM {name} WHERE id_visite IN (SELECT id_visite FROM {fact_table.STALE})")
    finally:
        replica.unregister("fresh")
    if len(visits):
        _insert(replica, VISITS, visits)
    if len(contacts):
        _insert(replica, CONTACTS, contacts)
    for name, columns in COLUMNS.items():
        if name not in (VISITS, CONTACTS):
            _copy_table(conn, replica, name, columns)
    fact_table.refresh(replica)
    for name in (VISITS, CONTACTS):
        table = crm_metadata.tables[name]
        source_rows = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        (replica_rows,) = replica.execute(f"SELECT count(*) FROM {name}").fetchall()[0]
        if source_rows != replica_rows:
            log.info("replica: %s has %d rows in the CRM, %d in the replica", name, source_rows, replica_rows)
            return False
    return True


def _finish(replica: duckdb.DuckDBPyConnection, kind: str, started: float, full_built_at: str | None = None) -> str:
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
        "fact": FACT_VERSION,  # the version holds the contact fact's table (data.facts)
    }
    replica.execute(f"CREATE OR REPLACE TABLE {META} (key VARCHAR, value VARCHAR)")
    replica.executemany(f"INSERT INTO {META} VALUES (?, ?)", list(meta.items()))
    replica.execute("CHECKPOINT")
    return signature


def _new_version(path: Path) -> Path:
    """A fresh file name for the next version, beside the link."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(f"{path.name}.v{stamp}-{os.getpid()}")
    _discard(target)
    return target


def _discard(version: Path) -> None:
    for leftover in (version, version.with_name(version.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _publish(path: Path, target: Path) -> None:
    """Point the link at ``target`` (one atomic rename), then remove versions older than the previous one."""
    previous = current(path)
    link = path.with_name(f".{path.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    if path.exists() and not path.is_symlink():  # a plain file from an older layout
        path.unlink()
        previous = None
    os.replace(link, path)
    if previous is not None:  # kept as a fallback for a process that cannot open the new one
        spare = path.with_name(f".{path.name}.previous-{os.getpid()}")
        spare.unlink(missing_ok=True)
        spare.symlink_to(previous.name)
        os.replace(spare, _previous_link(path))
    keep = {target.name, previous.name if previous else ""}  # a reader may still be opening the previous one
    for old in path.parent.glob(f"{path.name}.v*"):
        if old.name.removesuffix(".wal") not in keep:
            old.unlink(missing_ok=True)


def _status_path(path: Path) -> Path:
    return path.with_name(path.name + ".status.json")


def mark_attempt(path: Path) -> None:
    """Say that a refresh starts, before anything that can fail: a hung or killed one is then visible."""
    _save_status(path, {**status(path), "attempt_at": _now(), "running": os.getpid()})


def record_failure(path: Path, kind: str, error: str) -> None:
    """Record a refresh that failed without saying so itself (killed after its deadline, crashed)."""
    _write_status(path, ok=False, kind=kind, error=error)


def _write_status(path: Path, *, ok: bool, kind: str, **details: Any) -> None:
    """Record the outcome of a refresh (atomically) for the footer, the health route and the other workers."""
    previous = status(path)
    now = _now()
    record = {
        "ok": ok,
        "kind": kind,
        "checked_at": now if ok else previous.get("checked_at"),
        "failed_at": None if ok else now,
        "error": None if ok else details.pop("error", None),
        "attempt_at": previous.get("attempt_at") or now,
        "running": None,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "parent": os.getppid(),  # the worker that leads the refreshes, when run by the refresher
        **details,
    }
    _save_status(path, record)


#: The status file's fixed size: it is written into a spare file allocated in advance, so that a full disk
#: (the very failure it must report) does not stop it from being written.
STATUS_BYTES = 4096


def _save_status(path: Path, record: dict[str, Any]) -> None:
    """Write the status file atomically (fill the spare in place, rename it over the status, allocate the
    next spare with the space just freed); any failure is logged (the data's age then tells the story)."""
    payload = json.dumps(record, default=str).encode()
    if len(payload) > STATUS_BYTES:
        payload = json.dumps({**record, "error": str(record.get("error"))[:500], "rows": None}, default=str).encode()
    spare = path.with_name(f".{path.name}.status-spare")
    try:
        with open(path.with_name(path.name + ".status-lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time: they share the spare
            _fill(spare, payload.ljust(STATUS_BYTES))
            os.replace(spare, _status_path(path))
            _fill(spare, b" " * STATUS_BYTES)
    except OSError as exc:
        log.error("replica: cannot write the refresh status (%s)", exc)


def _fill(spare: Path, content: bytes) -> None:
    """Write ``content`` at the start of ``spare``, allocated to ``STATUS_BYTES`` (in place if it exists)."""
    descriptor = os.open(spare, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if os.fstat(descriptor).st_size < STATUS_BYTES:
            os.posix_fallocate(descriptor, 0, STATUS_BYTES)
        os.pwrite(descriptor, content, 0)
    finally:
        os.close(descriptor)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _describe(exc: BaseException) -> str:
    """A one-line description of a failure (no stack, no credentials)."""
    if isinstance(exc, sa.exc.DBAPIError):
        return f"{type(exc.orig).__name__}: {str(exc.orig)[:200]}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"
