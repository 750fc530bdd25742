"""The demo's visits: the working calendar, who visits when, the visit rows and their contacts
(tab_partenaire_visite)."""

from __future__ import annotations

import numpy as np

from data.demo import codes
from data.demo.common import (
    _HOLIDAYS,
    _KINDS,
    _NAT,
    _WEEKDAY_W,
    Cols,
    _at,
    _lookup,
    _null,
    _Partners,
    _pick,
    _Users,
    _weekday,
)
from data.demo.partenaires import _draw, _pools


def _calendar(rng: np.random.Generator, days: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (day, start minute) of n visits: weekly rhythm, growth, August and holiday dips."""
    growth = 0.85 + 0.3 * np.arange(len(days)) / max(1, len(days) - 1)
    months = days.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    dom = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    holiday = np.array([(m, d) in _HOLIDAYS for m, d in zip(month.tolist(), dom.tolist(), strict=True)])
    w = _WEEKDAY_W[_weekday(days)] * growth * np.where(month == 8, 0.75, 1.0)
    w *= np.where(holiday, 0.05, 1.0) * rng.lognormal(0.0, 0.1, len(days))
    day = rng.choice(len(days), n, p=w / w.sum())
    minute = rng.integers(8 * 60, 19 * 60, n)  # start uniform over 08:00-18:59
    order = np.lexsort((minute, day))
    return day[order], minute[order]


def _assign_reps(rng: np.random.Generator, u: _Users, day: np.ndarray) -> np.ndarray:
    """User index of each visit (visits sorted by day), among the reps employed that day."""
    visitors = np.flatnonzero(u.weight > 0)
    rep = np.empty(len(day), np.int64)
    uniq, first, count = np.unique(day, return_index=True, return_counts=True)
    for d, i, c in zip(uniq.tolist(), first.tolist(), count.tolist(), strict=True):
        active = visitors[(u.hired[visitors] <= d) & (u.left[visitors] >= d)]
        rep[i : i + c] = rng.choice(active, c, p=u.weight[active] / u.weight[active].sum())
    return rep


def _visits(rng: np.random.Generator, u: _Users, p: _Partners, days: np.ndarray, n: int) -> tuple[Cols, Cols]:
    """tab_visite and tab_partenaire_visite columns of exactly n visits."""
    day, minute = _calendar(rng, days, n)
    rep = _assign_reps(rng, u, day)
    plan = rng.random(n) < 0.21
    group = rng.random(n) < np.where(plan, 0.015, 0.06)
    visit_of, partner, slot = _contacts(rng, u, p, rep, plan, group)
    moved = (u.prev_mgr[rep] > 0) & (day < u.switch[rep])  # before a reorganisation
    resp = np.where(moved, u.prev_mgr[rep], u.mgr[rep])
    cols = _visit_details(rng, _at(days, day, minute), plan, minute)
    cols.update(
        id_utilisateur=rep + 1,
        role_utilisateur=u.role[rep],
        id_responsable=_null(resp, resp > 0),
        type_visite=np.where(group, "G", "S"),
        id_accompagnant=_null(resp, (cols["flag_accompagnee"] == "O") & (resp > 0)),
        flag_medical=np.where(p.phar[partner[slot == 0]], "N", "O"),
        flag_pharmaceutique=np.where(p.phar[partner[slot == 0]], "O", "N"),
    )
    return cols, _contact_cols(p, visit_of, partner, slot)


def _visit_details(rng: np.random.Generator, start: np.ndarray, plan: np.ndarray, minute: np.ndarray) -> Cols:
    """Type, status, accompaniment, times and comment of each visit."""
    n = len(start)
    status = _pick(rng, {"REAL": 92.1, "ENAT": 3.0, "ABSE": 2.4, "REPL": 0.5, "SUPP": 2.0}, n)
    accompanied = rng.random(n) < np.where(plan, 0.01, 0.022)
    length = rng.integers(15, 46, n)
    lead = (rng.integers(0, 8, n) * 1440 + rng.integers(30, 240, n)).astype("timedelta64[m]")
    delay = (length + rng.integers(0, 180, n)).astype("timedelta64[m]")
    reported = np.isin(status, ["REAL", "ABSE"])
    comment = np.array(codes.COMMENTS, dtype=object)[rng.integers(0, len(codes.COMMENTS), n)]
    return {
        "id_visite": np.arange(1, n + 1),
        "code_type_visite": np.where(plan, "PLAN", "HOPL"),
        "code_statut_visite": status,
        "flag_accompagnee": np.where(accompanied, "O", "N"),
        "date_visite": start,
        "heure_fin_visite": codes.TIMES[minute + length],
        "commentaire": _null(comment, reported & (rng.random(n) < 0.15)),
        # planned visits are created up to a week ahead, unplanned ones when reported
        "date_creation": np.where(plan, start - lead, start + length.astype("timedelta64[m]")),
        "date_rapport": np.where(reported, start + delay, _NAT),
    }


def _contacts(
    rng: np.random.Generator,
    u: _Users,
    p: _Partners,
    rep: np.ndarray,
    plan: np.ndarray,
    group: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(visit index, partner index, slot) of each contact; a group visit sees 2-5 partners."""
    n, n_reg = len(rep), len(codes.REGIONS)
    size = np.where(group, rng.choice([2, 3, 4, 5], n, p=[0.55, 0.25, 0.12, 0.08]), 1)
    region = np.where(rng.random(n) < 0.9, u.region[rep], rng.choice(n_reg, n, p=codes.REGION_P))
    phar_p = np.where(plan, 0.01, np.where(u.pharma[rep], 0.45, 0.115))
    focus = np.where(rng.random(n) < 0.55, 2 + u.gamme[rep], 1)
    kind = np.where(rng.random(n) < phar_p, 0, focus)
    visit_of = np.repeat(np.arange(n), size)
    slot = np.arange(len(visit_of)) - np.repeat(np.cumsum(size) - size, size)
    key = region[visit_of] * _KINDS + np.where(slot == 0, kind[visit_of], 1)
    pools = _pools(p)
    partner = _draw(rng, pools, key)
    for attempt in range(100):  # redraw the partners a group visit already has
        dup = _duplicates(visit_of * len(p.phar) + partner)
        if not dup.any():
            return visit_of, partner, slot
        if attempt >= 10:  # a tiny pool: look for doctors anywhere
            key[dup] = rng.integers(0, n_reg, dup.sum()) * _KINDS + 1
        partner[dup] = _draw(rng, pools, key[dup])
    raise RuntimeError("could not find distinct partners for the group visits")


def _duplicates(pair: np.ndarray) -> np.ndarray:
    """Mask of the entries that repeat an earlier entry."""
    order = np.argsort(pair, kind="stable")
    dup = np.zeros(len(pair), dtype=bool)
    dup[order[1:][pair[order][1:] == pair[order][:-1]]] = True
    return dup


def _contact_cols(p: _Partners, visit_of: np.ndarray, partner: np.ndarray, slot: np.ndarray) -> Cols:
    """tab_partenaire_visite columns with the partner snapshot."""
    return {
        "id_partenaire_visite": np.arange(1, len(partner) + 1),
        "id_visite": visit_of + 1,
        "id_partenaire": partner + 1,
        "order_partenaire": slot + 1,
        "code_region_partenaire": codes.REGION_CODE[p.region[partner]],
        "code_ville_partenaire": codes.CITY_CODE[p.city[partner]],
        "code_type_partenaire": np.where(p.phar[partner], "PHAR", "MEDE"),
        "code_gamme_partenaire": _lookup(codes.GAMME_CODE, p.gamme[partner]),
        "code_specialite_partenaire": _lookup(codes.SPEC_CODE, p.spec[partner]),
    }
