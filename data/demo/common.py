"""Shared pieces of the demo generator: the column type, calendar constants, the users' and partners'
records, and small numpy helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from data.demo import codes

Cols = dict[str, Any]  # column name -> numpy array with one value per row


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
    pace: np.ndarray  # share of that volume actually made: 1, or 0.5-0.7 for the reps who fall behind


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
    tier: np.ndarray  # potential: 0 A+, 1 A, 2 B (and the dirty " B"), 3 C, 4 D
    pick: np.ndarray  # chance factor of entering a portfolio (status: rejected partners seldom)


@dataclass
class _Pools:
    """Partners sorted by pool key region * _KINDS + kind, with cumulative visit weights."""

    members: np.ndarray
    cum: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    remap: np.ndarray  # key -> a non-empty key to use instead


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
