"""The world ``make chaos`` runs in: MariaDB databases, a private Redis, accounts, the oracle, gunicorn servers.

Nothing here injects a fault; ``dashboard._chaos_faults`` does, through the proxies built here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import urllib.error
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from dashboard import bench

MARIADB = ("127.0.0.1", 3306)
CRM_DB, APP_DB = "mediviz_chaos", "mediviz_chaos_app"
USER, PASSWORD = "chaos", "chaos-password-0"
SECRET = "chaos-secret-key-chaos-secret-key-0123456789"
INSERTED = 40  # visits added to the CRM while Mediviz cannot read it (row 3)
TMPFS_MB = 64  # the main server's replica folder (for the disk-full row)
#: The settings every server of the run shares (MEDIVIZ_* without the prefix).
TIMEOUTS = {
    "REFRESH_SECONDS": "2",
    "REFRESH_TIMEOUT_SECONDS": "15",
    "QUERY_TIMEOUT_SECONDS": "10",
    "ACCOUNTS_TIMEOUT_SECONDS": "3",
    "BREAKER_SECONDS": "5",
}


def db_url(name: str, port: int = MARIADB[1]) -> str:
    """A MariaDB database on this host, straight (3306) or through a proxy's port."""
    return f"mysql+pymysql://root:@127.0.0.1:{port}/{name}?charset=utf8mb4"


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:16]


def create_databases(visits: int) -> dict[str, int]:
    """The CRM (``visits`` visits from the project's generator) and an empty accounts database, both new."""
    from data import demo

    server = sa.create_engine(f"mysql+pymysql://root:@{MARIADB[0]}:{MARIADB[1]}")
    with server.begin() as conn:
        for name in (CRM_DB, APP_DB):
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            conn.exec_driver_sql(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    server.dispose()
    engine = sa.create_engine(db_url(CRM_DB))
    counts = demo.generate(engine, visits=visits)
    engine.dispose()
    return counts


@dataclass
class Batch:
    """Visits added to the CRM during the matrix: copies of the last ``size`` ones (and their contacts),
    dated today at noon, so that inserting them twice gives the same rows."""

    size: int
    top: int = 0

    def __post_init__(self) -> None:
        with sa.create_engine(db_url(CRM_DB)).connect() as conn:
            self.top = int(conn.exec_driver_sql("SELECT max(id_visite) FROM tab_visite").scalar_one())

    def insert(self) -> None:
        noon = dt.datetime.combine(dt.date.today(), dt.time(12))
        engine = sa.create_engine(db_url(CRM_DB))
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO tab_visite (id_visite, id_utilisateur, role_utilisateur, id_responsable,"
                " code_type_visite, code_statut_visite, type_visite, flag_accompagnee, date_visite, date_creation)"
                " SELECT id_visite + %s, id_utilisateur, role_utilisateur, id_responsable, code_type_visite, 'REAL',"
                " type_visite, flag_accompagnee, %s, %s FROM tab_visite WHERE id_visite > %s",
                (self.size, noon, noon, self.top - self.size),
            )
            conn.exec_driver_sql(
                "INSERT INTO tab_partenaire_visite (id_visite, id_partenaire, order_partenaire,"
                " code_region_partenaire, code_ville_partenaire, code_type_partenaire, code_gamme_partenaire,"
                " code_specialite_partenaire) SELECT id_visite + %s, id_partenaire, order_partenaire,"
                " code_region_partenaire, code_ville_partenaire, code_type_partenaire, code_gamme_partenaire,"
                " code_specialite_partenaire FROM tab_partenaire_visite WHERE id_visite > %s AND id_visite <= %s",
                (self.size, self.top - self.size, self.top),
            )
        engine.dispose()

    def delete(self) -> None:
        engine = sa.create_engine(db_url(CRM_DB))
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM tab_partenaire_visite WHERE id_visite > %s", (self.top,))
            conn.exec_driver_sql("DELETE FROM tab_visite WHERE id_visite > %s", (self.top,))
        engine.dispose()


def crm_visits() -> int:
    with sa.create_engine(db_url(CRM_DB)).connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM tab_visite").scalar_one())


def questions() -> tuple[list[str], tuple[dt.date, dt.date]]:
    """The questions the load asks and checks (every area × 8 filter sets), and the CRM's first and last day."""
    sets = list(bench.filter_sets(db_url(CRM_DB)).values())
    with sa.create_engine(db_url(CRM_DB)).connect() as conn:
        first, last = (value.date() for value in conn.exec_driver_sql(  # the last day of data, not of the plan ahead
            "SELECT min(date_visite), max(date_visite) FROM tab_visite WHERE date_visite <= NOW()").one())  # fmt: skip
        second_team = conn.exec_driver_sql(
            "SELECT id_responsable FROM tab_utilisateur WHERE id_responsable IS NOT NULL GROUP BY id_responsable"
            " ORDER BY count(*) DESC LIMIT 1 OFFSET 1"
        ).scalar_one()
    sets += [{"annee": last.year - 1}, {"mois": 3}, {"id_responsable": second_team, "annee": last.year}]
    sets.append({"start_date": (last - dt.timedelta(days=91)).isoformat(), "end_date": last.isoformat()})
    paths = [f"/api/v1/{area}?{urllib.parse.urlencode(f)}".rstrip("?") for area in bench.AREAS for f in sets]
    return paths, (first, last)


def random_question(rng: random.Random, days: tuple[dt.date, dt.date], span: tuple[int, int] = (7, 120)) -> str:
    """A question nobody asked yet (a random window of days): computed, never answered from the cache."""
    start = days[0] + dt.timedelta(days=rng.randrange((days[1] - days[0]).days))
    end = start + dt.timedelta(days=rng.randint(*span))
    query = urllib.parse.urlencode({"start_date": start.isoformat(), "end_date": end.isoformat()})
    return f"/api/v1/{rng.choice(bench.AREAS)}?{query}"


def _app(app_db: str, cache_seconds: int = 0) -> Any:
    """An app in this process straight on MariaDB (no replica, no cache), with its accounts in ``app_db``."""
    import dash._callback
    import dash._pages

    from dashboard import create_app

    for registry in (dash._pages.PAGE_REGISTRY, dash._callback.GLOBAL_CALLBACK_MAP):
        registry.clear()
    dash._callback.GLOBAL_CALLBACK_LIST.clear()
    config: dict[str, Any] = {"DATABASE_URL": db_url(CRM_DB), "APP_DATABASE_URL": db_url(app_db), "SECRET_KEY": SECRET}
    config |= {"SERVE_FROM": "crm", "CACHE_TYPE": "NullCache", "CACHE_DEFAULT_TIMEOUT": cache_seconds}
    config |= {"REFRESH_SECONDS": 0, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Flask-Caching says NullCache caches nothing: that is wanted
        return create_app(config)


def account(app_db: str) -> str:
    """Create the run's administrator in ``app_db``; its API token."""
    from data.app import accounts, tokens

    app = _app(app_db)
    with app.server.app_context():
        token, _ = tokens.create(accounts.create(USER, PASSWORD, role="admin"), "chaos")
    return token


class Oracle:
    """The CRM's own answer to a question: the app in this process, straight on MariaDB (no replica, no cache).
    Only used while no fault runs (it holds the GIL, which the proxies of this process need)."""

    def __init__(self) -> None:
        self.token = account(APP_DB)  # the accounts of the main server: the same token works there
        self.client = _app(APP_DB).server.test_client()

    def answer(self, path: str) -> tuple[int, bytes]:
        response = self.client.get(path, headers={"Authorization": f"Bearer {self.token}"})
        return response.status_code, response.get_data()

    def digests(self, paths: list[str]) -> dict[str, str]:
        found = {}
        for path in paths:
            status, body = self.answer(path)
            if status != 200:
                raise RuntimeError(f"the oracle cannot answer {path}: HTTP {status} {body[:200]!r}")
            found[path] = digest(body)
        return found
