"""The demo reps' portfolios: the partners each DEL and KAM follows, how often by potential, the ones neglected
lately, and the portfolio partner of each of the reps' visits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.demo.common import _NEVER, _Partners, _Users

#: Target visits per month by tier (A+, A, B, C, D): twice a month, monthly, every two months, quarterly, rarely.
RATES = np.array([2.0, 1.0, 0.5, 1 / 3, 0.1])
#: Share of a DEL's or KAM's visits made to its portfolio (visits planned ahead: nearly all).
SHARE, SHARE_AHEAD = 0.88, 0.97
#: Share of the portfolio partners of the reps still there at the end that they stopped visiting, and how many
#: days before the last day (60-120).
NEGLECTED, SILENCE = 0.10, (60, 121)
_OUTSIDE = 0.03  # share of a portfolio outside the rep's region
_REUSE = 0.2  # chance factor of a partner already in another portfolio: territories overlap little
_SPAN = 1 << 32  # rep * _SPAN + day: one sort key
_SPARE = 1.05  # visit dates drawn per portfolio visit: the surplus is skipped evenly, none is left without


@dataclass
class _Portfolios:
    """One entry per (rep, partner) pair of a portfolio."""

    rep: np.ndarray  # user index
    partner: np.ndarray  # partner index
    rate: np.ndarray  # target visits per month (jittered; the rep's pace slows it down)
    quiet: np.ndarray  # day index from which the rep no longer visits the partner, _NEVER if never


def _portfolios(
    rng: np.random.Generator,
    u: _Users,
    p: _Partners,
    rep: np.ndarray,
    day: np.ndarray,
    to_portfolio: np.ndarray,
    n_days: int,
) -> _Portfolios:
    """The portfolio of each DEL and KAM: partners mostly of its region and gamme, as many as its portfolio
    visits (``to_portfolio``) over its months of work fill at the target rates, at the rep's normal pace."""
    past = np.bincount(rep[to_portfolio & (day < n_days)], minlength=len(u.role))
    months = (np.minimum(u.left, n_days - 1) - np.maximum(u.hired, 0) + 1).clip(1) / 30.44
    used = np.zeros(len(p.phar))
    parts: list[tuple[int, np.ndarray, np.ndarray]] = []
    for r in rng.permutation(np.flatnonzero(np.isin(u.role, ["DEL", "KAM"]))).tolist():
        weight = _affinity(p, u, r) * _REUSE**used
        keys = np.full(len(weight), -np.inf)  # weighted sampling without replacement: the top keys
        fit = weight > 0
        keys[fit] = np.log(rng.random(fit.sum())) / weight[fit]
        order = np.argsort(-keys, kind="stable")[: fit.sum()]
        rate = RATES[p.tier[order]] * rng.lognormal(0.0, 0.2, len(order))
        wanted = past[r] / (u.pace[r] * months[r])  # the portfolio's total monthly rate
        size = min(len(order), int(np.searchsorted(np.cumsum(rate), wanted)) + 1) if past[r] else 0
        used[order[:size]] += 1
        parts.append((r, order[:size], rate[:size]))
    pairs = _Portfolios(
        np.concatenate([np.full(len(chosen), r) for r, chosen, _ in parts]),
        np.concatenate([chosen for _, chosen, _ in parts]),
        np.concatenate([rate for _, _, rate in parts]),
        np.full(sum(len(chosen) for _, chosen, _ in parts), _NEVER),
    )
    order = np.lexsort((pairs.partner, pairs.rep))  # an order that does not depend on the drawing's
    pairs = _Portfolios(pairs.rep[order], pairs.partner[order], pairs.rate[order], pairs.quiet[order])
    neglected = (u.left[pairs.rep] == _NEVER) & (rng.random(len(pairs.rep)) < NEGLECTED)
    pairs.quiet[neglected] = n_days - 1 - rng.integers(*SILENCE, neglected.sum())
    return pairs


def _affinity(p: _Partners, u: _Users, r: int) -> np.ndarray:
    """Chance weights of every partner to enter the portfolio of rep ``r``: its region's pharmacies, doctors of
    its gamme and other doctors in the proportions of its visits, a few outside the region; by status."""
    own = p.region == u.region[r]
    shops = 0.45 if u.pharma[r] else 0.115
    weight = np.zeros(len(p.phar))
    for mask, share in ((own, 1 - _OUTSIDE), (~own, _OUTSIDE)):
        kinds = ((mask & p.phar, shops), (mask & (p.gamme == u.gamme[r]), 0.55 * (1 - shops)))
        for kind, part in (*kinds, (mask & ~p.phar, 0.45 * (1 - shops))):
            weight[kind] += share * part / max(1, kind.sum())
    return weight * p.pick


def _assign(
    rng: np.random.Generator,
    pf: _Portfolios,
    shop: np.ndarray,
    rep: np.ndarray,
    day: np.ndarray,
    to_portfolio: np.ndarray,
    n_days: int,
) -> np.ndarray:
    """The portfolio pair of each visit (-1: not a portfolio visit); ``shop``: the pair's partner is a pharmacy.

    Counted in its rep's portfolio visits (``to_portfolio``, sorted by time), each partner comes back every
    1/rate of them (jittered by ±30 %), and the visit dates drawn, in time order, are spread evenly over the
    visits; the visits planned ahead take the next dates due. A neglected partner is no longer visited from its
    quiet day, a pharmacy is not planned ahead: their dates stop there.
    """
    out = np.full(len(rep), -1)
    if not len(pf.rep):
        return out
    n_reps = max(int(rep.max(initial=-1)), int(pf.rep.max())) + 1
    visits = np.flatnonzero(to_portfolio)
    visits = visits[np.argsort(rep[visits], kind="stable")]  # by rep, then time
    owner, ahead = rep[visits], day[visits] >= n_days
    slots = np.bincount(owner, minlength=n_reps)
    until = np.minimum(pf.quiet, np.where(shop, n_days, _NEVER))  # the first day without the pair's visits
    stop = np.searchsorted(owner * _SPAN + day[visits], pf.rep * _SPAN + until) - (np.cumsum(slots) - slots)[pf.rep]
    pair, at = _dates(rng, pf, slots, np.where(until < _NEVER, stop, np.inf))
    if not len(pair):
        return out
    past = np.bincount(owner[~ahead], minlength=n_reps)
    part = pf.rep[pair] * 2 + (at >= past[pf.rep[pair]])  # rep, then past or ahead: sorted as the dates
    group = owner * 2 + ahead
    dates, slots = np.bincount(part, minlength=2 * n_reps), np.bincount(group, minlength=2 * n_reps)
    rank = np.arange(len(visits)) - (np.cumsum(slots) - slots)[group]
    pick = np.where(ahead, rank, rank * dates[group] // np.maximum(slots[group], 1))
    at_pick = np.minimum((np.cumsum(dates) - dates)[group] + pick, len(pair) - 1)
    chosen = np.where(pick < dates[group], pair[at_pick], -1)
    again = np.zeros(len(visits), dtype=bool)  # fewer dates than slots: a date is used once
    again[1:] = (pick[1:] == pick[:-1]) & (group[1:] == group[:-1])
    chosen[again | ((chosen >= 0) & (day[visits] >= until[chosen]))] = -1
    out[visits] = chosen
    return out


def _dates(
    rng: np.random.Generator, pf: _Portfolios, slots: np.ndarray, stop: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(pair, time) of each visit date, by rep then time; time counts the rep's portfolio visits (``slots`` per
    rep). A pair's dates are ``_SPARE`` times its share of the rep's total rate, up to its ``stop``."""
    total = np.bincount(pf.rep, pf.rate, minlength=len(slots))
    count = np.where(slots[pf.rep] > 0, _SPARE * slots[pf.rep] * pf.rate / total[pf.rep].clip(1e-9), 0.0)
    every = slots[pf.rep] / np.maximum(count, 1e-9)  # rep's visits between two visits of the partner
    times = np.where(count > 0, np.ceil(count).astype(np.int64) + 2, 0)  # the last ones: beyond the period
    pair = np.repeat(np.arange(len(pf.rep)), times)
    k = np.arange(len(pair)) - np.repeat(np.cumsum(times) - times, times)
    at = every[pair] * (np.repeat(rng.random(len(times)), times) + k + rng.uniform(-0.3, 0.3, len(pair)))
    keep = (at >= 0) & (at < stop[pair])
    pair, at = pair[keep], at[keep]
    order = np.lexsort((at, pf.rep[pair]))
    return pair[order], at[order]
