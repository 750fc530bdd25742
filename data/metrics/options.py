"""Options of the sidebar's filters, narrowed to the caller's scope and to the chosen manager."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data.cache import reference
from data.metrics import filters
from data.metrics.scope import Scope, team_ids, users
from data.source import db
from data.source.fact import V

MANAGER_ROLES = ("DIR", "DRG", "DSM", "KAM")


def managers(scope: Scope) -> pd.DataFrame:
    """Users with at least one subordinate, inside the scope (``id_utilisateur, nom, role, statut``)."""
    frame = users()
    bosses = set(frame["id_responsable"].dropna().astype(int))
    keep = frame["id_utilisateur"].isin(bosses) & frame["id_utilisateur"].map(scope.allows)
    return frame[keep]


def members(manager_id: int | None, scope: Scope) -> pd.DataFrame:
    """The users a rep filter may offer: the manager's team (or everyone), inside the scope."""
    frame = users()
    keep = frame["id_utilisateur"].map(scope.allows)
    if manager_id is not None:
        keep &= frame["id_utilisateur"].isin(team_ids(manager_id))
    return frame[keep]


def date_bounds() -> tuple[str | None, str | None]:
    """First and last visit days as ISO strings, for the date picker's limits and the footer. The last is today
    at most: a CRM holds the visits planned for the next days, which are not data from the future."""
    first, last = visit_days()
    if first is None or last is None:
        return None, None
    return first, max(first, min(last, filters.today().isoformat()))


@reference
def visit_days() -> tuple[str | None, str | None]:
    """First and last days of the CRM's visits as ISO strings, the plan ahead included."""
    stmt = sa.select(sa.func.min(V.c.date_visite), sa.func.max(V.c.date_visite))
    row = db.read(stmt)[0]
    first, last = row[0], row[1]
    if first is None:
        return None, None
    return pd.Timestamp(first).date().isoformat(), pd.Timestamp(last).date().isoformat()


def years() -> list[int]:
    """Every year from the first to the last visit."""
    first, last = date_bounds()
    if first is None or last is None:
        return []
    return list(range(int(first[:4]), int(last[:4]) + 1))
