"""The demo's partners (doctors and pharmacies, their tab_partenaire rows), the pools visits draw them from, and
their business cases."""

from __future__ import annotations

import numpy as np

from data.demo import codes
from data.demo.common import _KINDS, _NAT, Cols, _at, _lookup, _null, _Partners, _pick, _Pools, _Users

#: Potential code -> tier index (the dirty " B" is a B).
TIERS = {"A+": 0, "A": 1, "B": 2, "C": 3, "D": 4}


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
    return _Partners(phar, region, city, spec, gamme, etab, np.ones(n), np.zeros(n, np.int64), np.ones(n))


def _partner_cols(rng: np.random.Generator, p: _Partners, u: _Users, days: np.ndarray) -> Cols:
    """tab_partenaire columns; also sets the partners' tiers and visit weights from potential and status."""
    n = len(p.phar)
    # Fewer A+ than B accounts: visited 4 times as often, they still make the visits' mix of 6.3 (A+ 15 %, A 56 %,
    # B 27 %, C 2 %, D 0.1 %) in the portfolios (see portefeuilles.RATES).
    potential = _pick(rng, {"A": 46, "B": 42, "A+": 6.5, "C": 4.5, "D": 1.0}, n)
    is_b = np.flatnonzero(potential == "B")
    potential[rng.choice(is_b, min(max(2, n // 1000), len(is_b)), replace=False)] = " B"  # dirty
    status = _pick(rng, {"VALI": 85, "MIGR": 7, "CREE": 6, "REJE": 2}, n)
    by_potential = {"A+": 3.0, "A": 1.6, "B": 1.0, " B": 1.0, "C": 0.5, "D": 0.3}
    p.tier = np.array([TIERS[v.strip()] for v in potential.tolist()])
    p.pick = np.select([status == "CREE", status == "REJE"], [0.6, 0.15], 1.0)
    p.weight = np.array([by_potential[v] for v in potential.tolist()]) * p.pick
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
