"""Who may see what: the caller's scope and the team (the hierarchy below a manager)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pandas as pd
import sqlalchemy as sa
from flask import g

from data.cache import reference
from data.metrics.filters import Filters
from data.source import db
from data.source.schema import utilisateur


@dataclasses.dataclass(frozen=True)
class Scope:
    """The users a caller may see: ``None`` for everyone (admin), else the sorted ids of a team."""

    user_ids: tuple[int, ...] | None = None

    @property
    def is_global(self) -> bool:
        """Whether the caller sees every user."""
        return self.user_ids is None

    def allows(self, user_id: int) -> bool:
        """Whether ``user_id`` is inside the scope."""
        return self.user_ids is None or user_id in self.user_ids


EVERYONE = Scope()
NOBODY = Scope(())
#: What the API (403), the sidebar and the charts say when a filter names someone outside the caller's team.
OUTSIDE = "Accès refusé : cette personne n'est pas dans votre équipe."


def outside(filters: Filters, scope: Scope) -> str | None:
    """The filter (``id_responsable`` or ``id_utilisateur``) naming someone outside ``scope``, if any.

    Refused rather than narrowed: a manager who follows a link naming another team is told so, not shown zeros.
    """
    for field in ("id_responsable", "id_utilisateur"):
        value = getattr(filters, field)
        if value is not None and not scope.allows(value):
            return field
    return None


def request_scope() -> Scope:
    """The scope the request guard set for the current caller (``NOBODY`` if none was set)."""
    scope: Scope = g.get("mediviz_scope", NOBODY)
    return scope


#: The roles of a rep ("délégué"): a rep is active in a slice when they made at least one visit in it.
REP_ROLES = ("DEL", "KAM")
#: The status of an enabled CRM user (``DESA``: disabled).
ACTIVE = "ACTI"


@reference
def users() -> pd.DataFrame:
    """Every CRM user: ``id_utilisateur, id_responsable, nom, role, statut`` (nom = "NOM Prénom")."""
    u = utilisateur.c
    nom = sa.func.trim(u.nom_utilisateur + " " + sa.func.coalesce(u.prenom_utilisateur, ""))
    stmt = sa.select(
        u.id_utilisateur,
        u.id_responsable,
        nom.label("nom"),
        u.role,
        u.code_statut_utilisateur.label("statut"),
    ).order_by(u.nom_utilisateur, u.prenom_utilisateur, u.id_utilisateur)
    return pd.DataFrame(db.read(stmt), columns=["id_utilisateur", "id_responsable", "nom", "role", "statut"])


@reference  # kept for the data version: an answer asks for it once per statement (0.6 ms each time)
def team_ids(manager_id: int) -> tuple[int, ...]:
    """The manager and every user below them in the current hierarchy, recursively (cycle-safe).

    A cycle in the CRM (2's manager is 5, 5's is 30, 30's is 2) makes the manager's own managers appear below
    them too: anyone reached by walking up from the manager stays out, with everyone only below them.
    """
    frame = users()
    children: dict[int, list[int]] = defaultdict(list)
    boss_of: dict[int, int] = {}
    for uid, boss in zip(frame["id_utilisateur"], frame["id_responsable"], strict=True):
        if pd.notna(boss):
            children[int(boss)].append(int(uid))
            boss_of[int(uid)] = int(boss)
    above = _above(manager_id, boss_of)
    team = {manager_id}
    todo = [manager_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in team and child not in above:
                team.add(child)
                todo.append(child)
    return tuple(sorted(team))


def _above(user_id: int, boss_of: dict[int, int]) -> set[int]:
    """Everyone reached by walking up from ``user_id`` (its managers, theirs…), never ``user_id`` itself."""
    above: set[int] = set()
    boss = boss_of.get(user_id)
    while boss is not None and boss != user_id and boss not in above:
        above.add(boss)
        boss = boss_of.get(boss)
    return above


def visible_users(filters: Filters, scope: Scope) -> tuple[int, ...] | None:
    """The user ids the filters and the scope allow (``None``: no restriction at all)."""
    allowed: set[int] | None = None if scope.user_ids is None else set(scope.user_ids)
    if filters.id_responsable is not None:
        team = set(team_ids(filters.id_responsable))
        allowed = team if allowed is None else allowed & team
    if filters.id_utilisateur is not None:
        one = {filters.id_utilisateur}
        allowed = one if allowed is None else allowed & one
    if filters.role:  # the cross-filter on the users' current role: they alone count, rep lists included
        frame = users()
        holders = {int(uid) for uid in frame.loc[frame["role"].isin(filters.role), "id_utilisateur"]}
        allowed = holders if allowed is None else allowed & holders
    return None if allowed is None else tuple(sorted(allowed))
