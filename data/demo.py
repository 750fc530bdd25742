"""Deterministic synthetic CRM data (domains and proportions of section 6 of the legacy document).

The same seed, end date and size give the same rows. Everything is drawn with one numpy generator,
in vectorised form, and loaded in multi-row inserts of ``_CHUNK`` rows inside one transaction.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import logging
import tempfile
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data import _demo_codes as codes
from data import schema

log = logging.getLogger(__name__)

Cols = dict[str, Any]  # column name -> numpy array with one value per row
_CHUNK = 20_000
_NEVER = 10**9  # day index of "never deactivated"
_HOLIDAYS = {(1, 1), (1, 11), (5, 1), (7, 30), (8, 14), (8, 20), (8, 21), (11, 6), (11, 18)}
_WEEKDAY_W = np.array([1.0, 1.08, 1.04, 1.0, 0.85, 0.04, 0.0])  # Monday .. Sunday
_KINDS = 2 + len(codes.GAMMES)  # partner pools: 0 pharmacies, 1 any doctor, 2 + g doctors of gamme g
_NAT = np.datetime64("NaT")


@dataclass
class _Users:
    """One entry per user (index i is id_utilisateur i + 1); days count from the period start."""

    role: np.ndarray
    mgr: np.ndarray  # manager id, 0 = none
    region: np.ndarray  # home region index, -1 = none
    gamme: np.ndarray  # gamme focus index, -1 = none
    pharma: np.ndarray  # pharmacy-oriented rep
    hired: np.ndarray  # day of date_creation (negative: before the period)
    left: np.ndarray  # day of date_desactivation, _NEVER if active
    prev_mgr: np.ndarray  # manager before a reorganisation, 0 = none
    switch: np.ndarray  # day of that reorganisation
    weight: np.ndarray  # relative visit volume, 0 for non-visitors


@dataclass
class _Partners:
    """One entry per partner (index i is id_partenaire i + 1); -1 where a code does not apply."""

    phar: np.ndarray
    region: np.ndarray
    city: np.ndarray
    spec: np.ndarray
    gamme: np.ndarray
    etab: np.ndarray
    weight: np.ndarray  # relative visit frequency (potential, status)


@dataclass
class _Pools:
    """Partners sorted by pool key region * _KINDS + kind, with cumulative visit weights."""

    members: np.ndarray
    cum: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    remap: np.ndarray  # key -> a non-empty key to use instead


def generate(
    engine: sa.Engine,
    *,
    visits: int = 60_000,
    seed: int = 20261123,
    end: dt.date | None = None,
    months: int = 18,
) -> dict[str, int]:
    """Re-create the CRM tables, fill them with ``visits`` visits over the ``months`` months ending
    on ``end`` (default today) and return the row count per table name."""
    if visits < 0 or months < 1:
        raise ValueError("visits must be >= 0 and months >= 1")
    began = time.perf_counter()
    end = end or dt.date.today()
    first = np.datetime64(_period_start(end, months), "D")
    days = np.arange(first, np.datetime64(end, "D") + 1, dtype="datetime64[D]")
    rng = np.random.default_rng(seed)
    users = _org(rng, n_del=int(np.clip(round(60 * (visits / 60_000) ** 0.5), 20, 120)))
    _careers(rng, users, len(days))
    partners = _partners(rng, max(300, min(10_000, visits * 2 // 15)))
    partner_cols = _partner_cols(rng, partners, users, days)
    visit_cols, contact_cols = _visits(rng, users, partners, days, visits)
    evals, details = _evaluations(rng, users, days)
    created = dt.datetime.combine(first.astype(dt.date), dt.time()) - dt.timedelta(days=5 * 365)
    codif = codes.codification_rows(created)
    tables = [
        (schema.codification, {k: np.array([r[k] for r in codif], dtype=object) for k in codif[0]}),
        (schema.utilisateur, _user_cols(rng, users, days)),
        (schema.partenaire, partner_cols),
        (schema.visite, visit_cols),
        (schema.partenaire_visite, contact_cols),
        (schema.evaluation, evals),
        (schema.evaluation_detailed, details),
        (schema.partenaire_bc, _business_cases(rng, users, partners, days)),
    ]
    counts = _load(engine, tables)
    log.info("demo data generated in %.1f s: %s", time.perf_counter() - began, counts)
    return counts


def _period_start(end: dt.date, months: int) -> dt.date:
    """First day of the ``months`` months that end on ``end``."""
    year, month = divmod(end.year * 12 + end.month - 1 - months, 12)
    day = min(end.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day) + dt.timedelta(days=1)


def _at(days: np.ndarray, day: np.ndarray, minute: np.ndarray) -> np.ndarray:
    """datetime64[m] of day index ``day`` (from the period start) at ``minute`` past midnight."""
    return days[0].astype("datetime64[m]") + (day * 1440 + minute).astype("timedelta64[m]")


def _weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday .. 6 = Sunday."""
    return (days.astype(np.int64) + 3) % 7


def _null(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Object array of ``values`` with None where ``keep`` is false."""
    out = values.astype(object)
    out[~keep] = None
    return out


def _lookup(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """table[index], None where index is -1."""
    return _null(table[index.clip(0)], index >= 0)


def _pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    """n labels drawn with the given relative weights, as an object array."""
    labels = np.array(list(weights), dtype=object)
    return rng.choice(labels, n, p=codes.probs(list(weights.values())))


def _org(rng: np.random.Generator, n_del: int) -> _Users:
    """Roles, managers, home regions and gamme focus: DEL -> KAM/DSM -> DSM -> DRG -> DIR."""
    n_reg, n_gam, gp = len(codes.REGIONS), len(codes.GAMMES), codes.GAMME_P
    roles = ["DIR"] + ["DRG"] * 3 + ["DSM"] * n_reg + ["KAM"] * 10 + ["DEL"] * n_del
    role = np.array([*roles, "PM", "ACH", "ADMI"], dtype=object)
    n = len(role)
    mgr, region, gamme = np.zeros(n, np.int64), np.full(n, -1), np.full(n, -1)
    mgr[role == "DRG"] = 1
    dsm, kam, dels = (np.flatnonzero(role == r) for r in ("DSM", "KAM", "DEL"))
    region[dsm], mgr[dsm] = np.arange(n_reg), 2 + np.arange(n_reg) % 3
    region[kam] = rng.choice(n_reg, len(kam), p=codes.REGION_P)
    region[dels] = rng.choice(n_reg, len(dels), p=codes.REGION_P)
    mgr[kam], mgr[dels] = dsm[region[kam]] + 1, dsm[region[dels]] + 1
    gamme[dsm], gamme[kam] = rng.choice(n_gam, n_reg, p=gp), rng.choice(n_gam, len(kam), p=gp)
    for i in dels:
        kams = kam[region[kam] == region[i]]
        if len(kams) and rng.random() < 0.3:
            mgr[i] = rng.choice(kams) + 1
    own = rng.random(len(dels)) < 0.5  # else a personal focus
    gamme[dels] = np.where(own, gamme[mgr[dels] - 1], rng.choice(n_gam, len(dels), p=gp))
    pharma = np.zeros(n, dtype=bool)
    pharma[dels] = rng.random(len(dels)) < 0.2
    zeros = np.zeros(n, np.int64)
    return _Users(role, mgr, region, gamme, pharma, zeros, zeros, zeros, zeros, zeros * 0.0)


def _careers(rng: np.random.Generator, u: _Users, n_days: int) -> None:
    """Hiring and deactivation days, reorganisations and visit volumes of the users."""
    n = len(u.role)
    dels = np.flatnonzero(u.role == "DEL")
    u.hired = -rng.integers(60, 2500, n)
    late = dels[rng.random(len(dels)) < 0.15]
    u.hired[late] = rng.integers(0, max(1, int(n_days * 0.6)), len(late))
    veterans = np.setdiff1d(dels, late)
    u.left = np.full(n, _NEVER)
    desa = rng.choice(veterans, min(max(1, round(0.03 * n)), len(veterans)), replace=False)
    lo = int(n_days * 0.3)
    u.left[desa] = rng.integers(lo, max(lo + 1, n_days - 14), len(desa))
    u.prev_mgr, u.switch = np.zeros(n, np.int64), np.zeros(n, np.int64)
    bosses = np.flatnonzero(np.isin(u.role, ["KAM", "DSM"])) + 1
    moved = veterans[rng.random(len(veterans)) < 0.1]
    for i in moved:
        u.prev_mgr[i] = rng.choice(bosses[bosses != u.mgr[i]])
    u.switch[moved] = rng.integers(30, max(31, n_days // 2), len(moved))
    factor = np.select([u.role == "DEL", u.role == "KAM", u.role == "DSM"], [1.0, 0.6, 0.04], 0.0)
    u.weight = factor * rng.lognormal(0.0, 0.3, n)


def _user_cols(rng: np.random.Generator, u: _Users, days: np.ndarray) -> Cols:
    """tab_utilisateur columns."""
    n = len(u.role)
    nom, prenom = codes.names(rng, n)
    gone = u.left < _NEVER
    field = np.isin(u.role, ["DEL", "KAM", "DSM", "DRG", "DIR"])
    return {
        "id_utilisateur": np.arange(1, n + 1),
        "nom_utilisateur": nom,
        "prenom_utilisateur": prenom,
        "role": u.role,
        "id_responsable": _null(u.mgr, u.mgr > 0),
        "code_statut_utilisateur": np.where(gone, "DESA", "ACTI"),
        "flag_medical": np.where(field, "O", "N"),
        "flag_pharmaceutique": np.where(u.pharma | np.isin(u.role, ["DRG", "DIR"]), "O", "N"),
        "date_creation": _at(days, u.hired, rng.integers(480, 1080, n)),
        "date_desactivation": np.where(gone, _at(days, u.left, np.full(n, 1080)), _NAT),
    }


def _partners(rng: np.random.Generator, n: int) -> _Partners:
    """Doctors (~80 %) and pharmacies (~20 %) with consistent region, city, specialty and gamme."""
    phar = rng.random(n) < 0.2
    region = rng.choice(len(codes.REGIONS), n, p=codes.REGION_P)
    city = np.empty(n, np.int64)
    for r in range(len(codes.REGIONS)):
        members, cities = np.flatnonzero(region == r), np.flatnonzero(r == codes.CITY_REGION)
        hub_first = [0.45 * (len(cities) - 1) / 0.55] + [1.0] * (len(cities) - 1)  # hub: 45 %
        city[members] = rng.choice(cities, len(members), p=codes.probs(hub_first))
    spec = np.where(phar, -1, rng.choice(len(codes.SPEC_CODE), n, p=codes.SPEC_P))
    gamme = np.where(phar, -1, codes.SPEC_GAMME[spec])
    etab = np.where(phar, -1, rng.choice(len(codes.ETAB_CODE), n, p=codes.ETAB_P))
    return _Partners(phar, region, city, spec, gamme, etab, np.ones(n))


def _partner_cols(rng: np.random.Generator, p: _Partners, u: _Users, days: np.ndarray) -> Cols:
    """tab_partenaire columns; also sets the partners' visit weights from potential and status."""
    n = len(p.phar)
    potential = _pick(rng, {"A": 56, "B": 27, "A+": 15, "C": 1.9, "D": 0.1}, n)
    is_b = np.flatnonzero(potential == "B")
    potential[rng.choice(is_b, min(max(2, n // 1000), len(is_b)), replace=False)] = " B"  # dirty
    status = _pick(rng, {"VALI": 85, "MIGR": 7, "CREE": 6, "REJE": 2}, n)
    by_potential = {"A+": 3.0, "A": 1.6, "B": 1.0, " B": 1.0, "C": 0.5, "D": 0.3}
    p.weight = np.array([by_potential[v] for v in potential.tolist()])
    p.weight *= np.select([status == "CREE", status == "REJE"], [0.6, 0.15], 1.0)
    nom, prenom = codes.names(rng, n)
    words = np.array(codes.PHARMACY_WORDS, dtype=object)
    shop = np.where(rng.random(n) < 0.5, words[rng.integers(0, len(words), n)], nom)
    creator = np.zeros(n, np.int64)
    for r in range(len(codes.REGIONS)):
        reps, members = np.flatnonzero((u.role == "DEL") & (u.region == r)) + 1, p.region == r
        creator[members] = rng.choice(reps, members.sum()) if len(reps) else 0
    created = _at(days, -rng.integers(1, 1500, n), rng.integers(480, 1080, n))
    return {
        "id_partenaire": np.arange(1, n + 1),
        "code_type_partenaire": np.where(p.phar, "PHAR", "MEDE"),
        "nom_partenaire": np.where(p.phar, "PHARMACIE " + shop, nom),
        "prenom_partenaire": _null(prenom, ~p.phar),
        "code_potentiel": potential,
        "code_statut_partenaire": status,
        "code_type_etablissement": _lookup(codes.ETAB_CODE, p.etab),
        "code_specialite": _lookup(codes.SPEC_CODE, p.spec),
        "code_gamme": _lookup(codes.GAMME_CODE, p.gamme),
        "code_region_partenaire": codes.REGION_CODE[p.region],
        "code_ville_partenaire": codes.CITY_CODE[p.city],
        "id_utilisateur": _null(creator, creator > 0),
        "date_creation": np.where(status == "MIGR", _at(days, np.array(-900), np.array(120)), created),
    }


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


def _pools(p: _Partners) -> _Pools:
    """Partners by (region, kind) pool, for weighted vectorised sampling."""
    doctors = np.flatnonzero(~p.phar)
    kind = np.where(p.phar, 0, 2 + p.gamme)
    keys = np.concatenate([p.region * _KINDS + kind, p.region[doctors] * _KINDS + 1])
    members = np.concatenate([np.arange(len(p.phar)), doctors])
    order = np.argsort(keys, kind="stable")
    keys, members = keys[order], members[order]
    every = np.arange(len(codes.REGIONS) * _KINDS)
    start, stop = np.searchsorted(keys, every), np.searchsorted(keys, every, side="right")
    remap = every.copy()
    for k in np.flatnonzero(stop == start).tolist():  # empty pool: same region, then anywhere
        same_kind = [r * _KINDS + k % _KINDS for r in range(len(codes.REGIONS))]
        remap[k] = next(c for c in [k - k % _KINDS + 1, *same_kind, *every] if stop[c] > start[c])
    return _Pools(members, np.cumsum(p.weight[members]), start, stop, remap)


def _draw(rng: np.random.Generator, pools: _Pools, key: np.ndarray) -> np.ndarray:
    """One partner per key, drawn in the key's pool with probability proportional to its weight."""
    key = pools.remap[key]
    lo, hi = pools.start[key], pools.stop[key]
    base = np.where(lo > 0, pools.cum[np.maximum(lo - 1, 0)], 0.0)
    target = base + rng.random(len(key)) * (pools.cum[hi - 1] - base)
    return pools.members[np.clip(np.searchsorted(pools.cum, target, side="right"), lo, hi - 1)]


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


def _evaluators(u: _Users, i: int) -> tuple[list[int], list[float]]:
    """Ids of the DSM, DRG and DIR above user index i, and their chance to be the evaluator."""
    share = {"DSM": 0.75, "DRG": 0.15, "DIR": 0.10}
    ids, weights, boss = [], [], int(u.mgr[i])
    while boss:
        if u.role[boss - 1] in share:
            ids.append(boss)
            weights.append(share[u.role[boss - 1]])
        boss = int(u.mgr[boss - 1])
    return ids, weights


def _evaluations(rng: np.random.Generator, u: _Users, days: np.ndarray) -> tuple[Cols, Cols]:
    """About 4 evaluations per DEL/KAM and year of employment, with their item scores."""
    workdays = np.flatnonzero(_weekday(days) < 5)
    rows: list[tuple[int, int, int]] = []  # (day, evaluated index, evaluator id)
    for i in np.flatnonzero(np.isin(u.role, ["DEL", "KAM"])).tolist():
        span = workdays[(workdays >= u.hired[i]) & (workdays <= u.left[i])]
        ids, weights = _evaluators(u, i)
        k = rng.poisson(4 * len(span) / 261) if len(span) and ids else 0
        bosses = rng.choice(ids, k, p=codes.probs(weights)).tolist() if k else []
        rows += zip(rng.choice(span, k).tolist() if k else [], [i] * k, bosses, strict=True)
    rows.sort()
    day, evaluated, creator = np.array(rows, dtype=np.int64).reshape(-1, 3).T
    m = len(rows)
    points = np.clip(np.rint(rng.normal(65, 11, m)), 35, 95).astype(np.int64)
    heads = {
        "id": np.arange(1, m + 1),
        "id_createur": creator,
        "id_utilisateur_evalue": evaluated + 1,
        "points_obtenu": points,
        "points_total": np.full(m, 100),
        "date_integration": _at(days, day, rng.integers(9 * 60, 18 * 60, m)),
    }
    return heads, _evaluation_items(rng, points)


def _evaluation_items(rng: np.random.Generator, points: np.ndarray) -> Cols:
    """All 16 items, or a random subset of at least 10, scored 0-5 in quarter points."""
    m, n_items = len(points), len(codes.ITEM_CODE)
    size = np.where(rng.random(m) < 0.7, n_items, rng.integers(10, n_items, m))
    rank = rng.random((m, n_items)).argsort(axis=1).argsort(axis=1)
    ev, item = np.nonzero(rank < size[:, None])
    score = np.clip(rng.normal(points[ev] / 20, 0.8), 0, 5)
    return {
        "id": np.arange(1, len(ev) + 1),
        "id_evaluation": ev + 1,
        "code_categorie": codes.ITEM_CATEGORY[item],
        "code_sous_categorie": codes.ITEM_CODE[item],
        "point_obtenu": np.round(score * 4) / 4,
        "point_sur": np.full(len(ev), 5.0),
    }


def _business_cases(rng: np.random.Generator, u: _Users, p: _Partners, days: np.ndarray) -> Cols:
    """About one business case per 15 partners, requested by a rep of the partner's region."""
    m = max(20, len(p.phar) // 15)
    created = np.sort(_at(days, rng.integers(0, len(days), m), rng.integers(480, 1080, m)))
    partner = rng.choice(len(p.phar), m, p=p.weight / p.weight.sum())
    reps = np.flatnonzero(np.isin(u.role, ["DEL", "KAM"]))
    local = [reps[u.region[reps] == r] for r in range(len(codes.REGIONS))]
    rep = np.array([rng.choice(local[r] if len(local[r]) else reps) for r in p.region[partner]])
    status = _pick(rng, {"REAL": 35, "VALI": 25, "ENAT": 15, "REJE": 8, "REFU": 7, "ANNU": 10}, m)
    last = days[-1].astype("datetime64[m]") + np.timedelta64(19 * 60, "m")
    validated = np.minimum(created + rng.integers(1, 15, m).astype("timedelta64[D]"), last)
    room = np.minimum(last - validated, np.timedelta64(60, "D")).astype(np.int64)
    done = validated + (rng.uniform(0.05, 1.0, m) * room).astype("timedelta64[m]")
    kind = rng.choice(len(codes.TYPE_CODE), m, p=codes.TYPE_P)
    budget = np.clip(np.rint(rng.lognormal(np.log(11), 0.7, m)), 2, 50).astype(np.int64) * 1000
    return {
        "id_business_case": np.arange(1, m + 1),
        "id_partenaire": partner + 1,
        "id_utilisateur": rep + 1,
        "id_responsable": _null(u.mgr[rep], u.mgr[rep] > 0),
        "code_statut_bc": status,
        "code_type_investissement": codes.TYPE_CODE[kind],
        "code_categorie_investissement": rng.choice(codes.CATEGORY_CODE, m, p=codes.CATEGORY_P),
        "budget": budget,
        "description": codes.TYPE_DESCRIPTION[kind],
        "objet_investissement": codes.TYPE_LABEL[kind],
        "destination": codes.CITY_LABEL[p.city[partner]],
        "date_creation": created,
        "date_validation": np.where(np.isin(status, ["VALI", "REAL"]), validated, _NAT),
        "date_realisation": np.where(status == "REAL", done, _NAT),
    }


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
