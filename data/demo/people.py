"""The demo's users (organisation, careers, their tab_utilisateur rows) and their evaluations."""

from __future__ import annotations

import numpy as np

from data.demo import codes
from data.demo.common import _NAT, _NEVER, Cols, _at, _null, _Users, _weekday


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
    return _Users(role, mgr, region, gamme, pharma, zeros, zeros, zeros, zeros, zeros * 0.0, np.ones(n))


def _careers(rng: np.random.Generator, u: _Users, n_days: int) -> None:
    """Hiring and deactivation days, reorganisations, visit volumes of the users and the reps who fall behind."""
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
    staying = veterans[u.left[veterans] == _NEVER]  # behind all along and still there: the scorecard shows them
    behind = rng.choice(staying, min(int(np.clip(round(len(dels) / 20), 2, 4)), len(staying)), replace=False)
    u.pace = np.ones(n)
    u.pace[behind] = rng.uniform(0.5, 0.7, len(behind))


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
