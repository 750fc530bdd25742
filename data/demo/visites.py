"""The demo's visits: the working calendar (and the plan of the days ahead), who visits when and whom (the
portfolio, else a partner of the region), the visit rows and their contacts (tab_partenaire_visite)."""

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
from data.demo.portefeuilles import SHARE, SHARE_AHEAD, _assign, _Portfolios, _portfolios

#: Days after the last one that already hold planned visits, and the share of such a day's usual planned visits
#: already in the CRM (the plan fills up as the day comes).
AHEAD = 14
_PLAN_FILL = np.linspace(0.9, 0.3, AHEAD)
#: Share of planned visits (PLAN; the others are HOPL, logged after the fact).
PLAN_SHARE = 0.21
#: What became of a past planned visit (ENAT: never reported). Unplanned visits are REAL, so these give the CRM
#: export's mix over all visits (legacy document, section 6.3: REAL 94 %, ENAT 3.7 %, ABSE 2.4 %, REPL about 0):
#: a plan adherence of about 70 %.
PLAN_OUTCOMES = {"REAL": 71.0, "ABSE": 11.0, "REPL": 1.0, "ENAT": 17.0}
#: Share of past visits deleted (SUPP), planned or not.
DELETED = 0.02


def _calendar(rng: np.random.Generator, days: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (day, start minute) of n visits: weekly rhythm, growth, August and holiday dips; the ``AHEAD`` days
    after the last one (day indices from ``len(days)``) hold the visits already planned."""
    days = np.arange(days[0], days[-1] + np.timedelta64(AHEAD + 1, "D"), dtype="datetime64[D]")
    past = len(days) - AHEAD
    growth = 0.85 + 0.3 * np.minimum(np.arange(len(days)), past - 1) / max(1, past - 1)
    months = days.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    dom = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    holiday = np.array([(m, d) in _HOLIDAYS for m, d in zip(month.tolist(), dom.tolist(), strict=True)])
    w = _WEEKDAY_W[_weekday(days)] * growth * np.where(month == 8, 0.75, 1.0)
    w *= np.where(holiday, 0.05, 1.0) * rng.lognormal(0.0, 0.1, len(days))
    w[past:] *= PLAN_SHARE * _PLAN_FILL
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


def _visits(
    rng: np.random.Generator, u: _Users, p: _Partners, days: np.ndarray, n: int
) -> tuple[Cols, Cols, _Portfolios]:
    """tab_visite and tab_partenaire_visite columns of exactly n visits, and the reps' portfolios."""
    day, minute = _calendar(rng, days, n)
    rep = _assign_reps(rng, u, day)
    ahead = day >= len(days)
    group = rng.random(n) < np.where(ahead, 0.015, 0.05)
    to_portfolio = np.isin(u.role[rep], ["DEL", "KAM"]) & (rng.random(n) < np.where(ahead, SHARE_AHEAD, SHARE))
    portfolios = _portfolios(rng, u, p, rep, day, to_portfolio, len(days))
    pair = _assign(rng, portfolios, p.phar[portfolios.partner], rep, day, to_portfolio, len(days))
    main = np.where(pair >= 0, portfolios.partner[pair.clip(0)] if len(portfolios.rep) else -1, -1)
    visit_of, partner, order = _contacts(rng, u, p, rep, group, main, ahead, portfolios)
    plan = _plan(rng, p.phar[partner[order == 0]], group, ahead)
    moved = (u.prev_mgr[rep] > 0) & (day < u.switch[rep])  # before a reorganisation
    resp = np.where(moved, u.prev_mgr[rep], u.mgr[rep])
    cols = _visit_details(rng, days, day, minute, plan)
    cols.update(
        id_utilisateur=rep + 1,
        role_utilisateur=u.role[rep],
        id_responsable=_null(resp, resp > 0),
        type_visite=np.where(group, "G", "S"),
        id_accompagnant=_null(resp, (cols["flag_accompagnee"] == "O") & (resp > 0)),
        flag_medical=np.where(p.phar[partner[order == 0]], "N", "O"),
        flag_pharmaceutique=np.where(p.phar[partner[order == 0]], "O", "N"),
    )
    return cols, _contact_cols(p, visit_of, partner, order), portfolios


def _plan(rng: np.random.Generator, shop: np.ndarray, group: np.ndarray, ahead: np.ndarray) -> np.ndarray:
    """Planned visits: every visit ahead, and ``PLAN_SHARE`` of the others, seldom a pharmacy or a group."""
    past = ~ahead
    odds = np.where(shop, 0.01, np.where(group, 0.02, 1.0))
    doctors = past & (odds == 1.0)
    rest = PLAN_SHARE * past.sum() - odds[past & ~doctors].sum()  # what the simple doctor visits make up
    odds[doctors] = np.clip(rest / max(1, doctors.sum()), 0.0, 1.0)
    return ahead | (rng.random(len(odds)) < odds)


def _visit_details(
    rng: np.random.Generator, days: np.ndarray, day: np.ndarray, minute: np.ndarray, plan: np.ndarray
) -> Cols:
    """Type, status, accompaniment, times and comment of each visit (those ahead: planned, not reported)."""
    n, ahead, start = len(day), day >= len(days), _at(days, day, minute)
    status = np.where(plan, _pick(rng, PLAN_OUTCOMES, n), "REAL").astype(object)
    status[rng.random(n) < DELETED] = "SUPP"
    status[ahead] = "ENAT"
    accompanied = rng.random(n) < np.where(plan, 0.01, 0.022)
    length = rng.integers(15, 46, n)
    lead = (rng.integers(0, 8, n) * 1440 + rng.integers(30, 240, n)).astype("timedelta64[m]")
    planned = _at(days, len(days) - 1 - rng.integers(0, 7, n), rng.integers(8 * 60, 18 * 60, n))  # ahead: by now
    delay = (length + rng.integers(0, 180, n)).astype("timedelta64[m]")
    created = np.where(ahead, planned, np.where(plan, start - lead, start + length.astype("timedelta64[m]")))
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
        # planned visits are created up to a week ahead (those ahead: by the last day), unplanned ones when reported
        "date_creation": created,
        "date_rapport": np.where(reported, start + delay, _NAT),
    }


def _contacts(
    rng: np.random.Generator,
    u: _Users,
    p: _Partners,
    rep: np.ndarray,
    group: np.ndarray,
    main: np.ndarray,
    ahead: np.ndarray,
    portfolios: _Portfolios,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(visit index, partner index, slot) of each contact; a group visit sees 2-5 partners. The first is ``main``
    (a portfolio partner) where set; the others are drawn in the rep's region, outside its portfolio."""
    n, n_reg, n_p = len(rep), len(codes.REGIONS), len(p.phar)
    size = np.where(group, rng.choice([2, 3, 4, 5], n, p=[0.55, 0.25, 0.12, 0.08]), 1)
    phar_p = np.where(ahead, 0.0, np.where(u.pharma[rep], 0.45, 0.115))
    focus = np.where(rng.random(n) < 0.55, 2 + u.gamme[rep], 1)
    kind = np.where(rng.random(n) < phar_p, 0, focus)
    visit_of = np.repeat(np.arange(n), size)
    slot = np.arange(len(visit_of)) - np.repeat(np.cumsum(size) - size, size)
    key = u.region[rep][visit_of] * _KINDS + np.where(slot == 0, kind[visit_of], 1)
    pools = _pools(p)
    partner = _draw(rng, pools, key)
    fixed = (slot == 0) & (main[visit_of] >= 0)
    partner[fixed] = main[visit_of][fixed]
    own, drawn = np.unique(portfolios.rep * n_p + portfolios.partner), np.flatnonzero(~fixed)
    for attempt in range(100):  # redraw the partners a group visit already has, or the rep's portfolio has
        redo = _duplicates(visit_of * n_p + partner)
        if attempt < 20:  # a tiny region may leave no partner outside the portfolio: then let it be
            redo[drawn[_member(rep[visit_of[drawn]] * n_p + partner[drawn], own)]] = True
        if not redo.any():
            return visit_of, partner, slot
        if attempt >= 10:  # a tiny pool: look for doctors anywhere
            key[redo] = rng.integers(0, n_reg, redo.sum()) * _KINDS + 1
        drawn = np.flatnonzero(redo)
        partner[drawn] = _draw(rng, pools, key[drawn])
    raise RuntimeError("could not find distinct partners for the group visits")


def _member(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Mask of the values found in the sorted array ``known``."""
    at = np.searchsorted(known, values).clip(0, max(0, len(known) - 1))
    return known[at] == values if len(known) else np.zeros(len(values), dtype=bool)


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
