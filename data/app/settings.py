"""The team analyses' settings (``dash_setting``, issue 13): target visit frequencies per potential, the portfolio's
window and the silence after which an account is "à relancer". Admins change them on ``/reglages``.

One row per setting (``name``, ``value`` as text); a setting without a row has its documented default
(``DEFAULTS``). ``current()`` returns them as a frozen ``Targets``, whose ``repr`` is part of the cache key of the
numbers that use them: changing a target changes the key, so no stale number survives it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context

from data.app.schema import app_metadata
from data.source import db
from data.source.schema import MYSQL_OPTS

#: The potential tiers, highest first; "" is a partner without a potential ("non renseigné").
TIERS = ("A+", "A", "B", "C", "D", "")
TIER_LABELS = {"A+": "A+", "A": "A", "B": "B", "C": "C", "D": "D", "": "Non renseigné"}
#: Default target visits per month and tier: A+ twice a month, A monthly, B every two months, C quarterly, D and
#: partners without a potential are not targeted (0: no attainment computed).
DEFAULT_TARGETS = {"A+": 2.0, "A": 1.0, "B": 0.5, "C": 0.25, "D": 0.0, "": 0.0}
#: The portfolio: partners the selection's reps visited in the N months up to the period's end, at least M times
#: (1: every partner seen, as issue 13 defines it; 2 leaves out the occasional contacts seen once).
DEFAULT_MONTHS = 12
DEFAULT_MIN_VISITS = 1
#: "Comptes à relancer": portfolio accounts not visited for at least this many days.
DEFAULT_SILENCE = 60
LIMITS = {"frequence": (0.0, 20.0), "portefeuille_mois": (1, 36), "portefeuille_visites_min": (1, 12)}
LIMITS |= {"relance_jours": (7, 365)}

dash_setting = sa.Table(
    "dash_setting",
    app_metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(80)),
    **MYSQL_OPTS,
)


class SettingError(ValueError):
    """A setting value that cannot be saved; ``field`` names it and the message says why, in French."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclasses.dataclass(frozen=True)
class Targets:
    """The settings in force: ``frequences`` pairs (tier, visits per month) in ``TIERS`` order."""

    frequences: tuple[tuple[str, float], ...] = tuple(DEFAULT_TARGETS.items())
    portefeuille_mois: int = DEFAULT_MONTHS
    relance_jours: int = DEFAULT_SILENCE
    portefeuille_visites_min: int = DEFAULT_MIN_VISITS

    def per_month(self, tier: str | None) -> float:
        """Target visits per month of a tier (None: no potential)."""
        return dict(self.frequences).get(tier or "", 0.0)

    def required(self, tier: str | None, months: float) -> int | None:
        """Visits a partner of ``tier`` needs over ``months`` to be at target: the target times the months,
        rounded half up, at least 1; ``None`` when the tier has no target."""
        target = self.per_month(tier)
        if target <= 0:
            return None
        return max(1, math.floor(target * months + 0.5))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the targets per tier ("" as "non_renseigne"), the window and the silence."""
        return {
            "frequences_cibles": {tier or "non_renseigne": value for tier, value in self.frequences},
            "portefeuille_mois": self.portefeuille_mois,
            "portefeuille_visites_min": self.portefeuille_visites_min,
            "relance_jours": self.relance_jours,
        }


def _key(tier: str) -> str:
    return f"frequence:{tier or 'NR'}"


def current() -> Targets:
    """The settings in force (defaults where no row was saved), read once per request."""
    if has_request_context() and "mediviz_settings" in g:
        targets: Targets = g.mediviz_settings
        return targets
    with db.app_engine().connect() as conn:
        saved = {name: value for name, value in conn.execute(sa.select(dash_setting.c.name, dash_setting.c.value))}
    targets = parse(saved)
    if has_request_context():
        g.mediviz_settings = targets
    return targets


def parse(saved: Mapping[str, str]) -> Targets:
    """``Targets`` from stored text values (a bad stored value falls back to its default)."""
    frequences = []
    for tier in TIERS:
        try:
            frequences.append((tier, float(saved.get(_key(tier), DEFAULT_TARGETS[tier]))))
        except ValueError:
            frequences.append((tier, DEFAULT_TARGETS[tier]))
    whole = {}
    wholes = (
        ("portefeuille_mois", DEFAULT_MONTHS),
        ("relance_jours", DEFAULT_SILENCE),
        ("portefeuille_visites_min", DEFAULT_MIN_VISITS),
    )
    for name, default in wholes:
        text = saved.get(name, "")
        whole[name] = int(text) if text.isdigit() else default
    return Targets(tuple(frequences), **whole)


def validate(values: Mapping[str, Any]) -> dict[str, str]:
    """Checked values as the text to store: ``frequence:<tier>`` per tier, ``portefeuille_mois``, ``relance_jours``."""
    out: dict[str, str] = {}
    low, high = LIMITS["frequence"]
    for tier in TIERS:
        raw = values.get(_key(tier))
        try:
            number = float(str(raw).replace(",", "."))
        except ValueError:
            number = math.nan
        if not low <= number <= high:  # NaN fails too
            label = TIER_LABELS[tier]
            raise SettingError(_key(tier), f"Fréquence cible {label} : un nombre de visites par mois entre 0 et 20.")
        out[_key(tier)] = f"{round(number, 2):g}"
    for name, message in (
        ("portefeuille_mois", "Fenêtre du portefeuille : un nombre de mois entre 1 et 36."),
        ("portefeuille_visites_min", "Visites minimum sur la fenêtre : un nombre entre 1 et 12."),
        ("relance_jours", "Comptes à relancer : un nombre de jours entre 7 et 365."),
    ):
        text = str(values.get(name, "")).strip()
        low_i, high_i = LIMITS[name]
        if not text.isdigit() or not low_i <= int(text) <= high_i:
            raise SettingError(name, message)
        out[name] = str(int(text))
    return out


def save(values: Mapping[str, Any], by: str) -> Targets:
    """Validate and store every setting (all or none); the settings now in force."""
    clean = validate(values)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with db.app_engine().begin() as conn:
        conn.execute(dash_setting.delete().where(dash_setting.c.name.in_(tuple(clean))))
        conn.execute(
            dash_setting.insert(),
            [{"name": name, "value": value, "updated_at": now, "updated_by": by} for name, value in clean.items()],
        )
    targets = parse(clean)
    if has_request_context():
        g.mediviz_settings = targets
    return targets
