"""Saved views (``dash_saved_view``, issue 13): an account names a few views (a page and its query string) to come
back to, and may make one its default, where the dashboard opens for it.

A view is a local path (``/visites?periode=mois_en_cours&region=RE00001``): the filters are checked when it is
opened, as any link's, so a view never widens what its account may see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from data.app.schema import app_metadata
from data.source import db
from data.source.schema import MYSQL_OPTS

#: Views an account may keep.
MAX_VIEWS = 20
MAX_NAME = 60
MAX_PATH = 2000

# No foreign key to dash_user, as dash_session: a table fixtures may not know must never block dash_user.
dash_saved_view = sa.Table(
    "dash_saved_view",
    app_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("path", sa.String(MAX_PATH), nullable=False),
    sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("user_id", "name", name="uq_saved_view_name"),
    **MYSQL_OPTS,
)


class ViewError(ValueError):
    """A view that cannot be saved; the message says why, in French."""


def of(user_id: int) -> list[dict[str, Any]]:
    """The account's views, the default first, then by name: ``id, name, path, is_default``."""
    v = dash_saved_view.c
    stmt = (
        sa.select(v.id, v.name, v.path, v.is_default)
        .where(v.user_id == user_id)
        .order_by(v.is_default.desc(), v.name, v.id)
    )
    with db.app_engine().connect() as conn:
        return [dict(row._mapping) for row in conn.execute(stmt)]


def default_path(user_id: int) -> str | None:
    """The account's default view, if it chose one."""
    return next((view["path"] for view in of(user_id) if view["is_default"]), None)


def save(user_id: int, name: str, path: str, default: bool = False) -> None:
    """Save (or replace, by name) a view; ``default``: it becomes the account's only default."""
    name = " ".join(name.split())[:MAX_NAME]
    if not name:
        raise ViewError("Donnez un nom à la vue.")
    if not path.startswith("/") or path.startswith("//") or len(path) > MAX_PATH or not path.isprintable():
        raise ViewError("Cette vue ne peut pas être enregistrée (adresse invalide).")
    v = dash_saved_view.c
    with db.app_engine().begin() as conn:
        existing = conn.execute(sa.select(v.id).where(v.user_id == user_id, v.name == name)).scalar()
        count = conn.execute(sa.select(sa.func.count()).where(v.user_id == user_id)).scalar() or 0
        if existing is None and count >= MAX_VIEWS:
            raise ViewError(f"Vous avez déjà {MAX_VIEWS} vues : supprimez-en une d'abord.")
        if default:
            conn.execute(dash_saved_view.update().where(v.user_id == user_id).values(is_default=False))
        if existing is None:
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
            conn.execute(
                dash_saved_view.insert().values(
                    user_id=user_id, name=name, path=path, is_default=default, created_at=now
                )
            )
        else:
            conn.execute(dash_saved_view.update().where(v.id == existing).values(path=path, is_default=default))


def delete(user_id: int, view_id: int) -> bool:
    """Delete one of the account's views; False if it has no such view."""
    v = dash_saved_view.c
    with db.app_engine().begin() as conn:
        return bool(conn.execute(dash_saved_view.delete().where(v.user_id == user_id, v.id == view_id)).rowcount)
