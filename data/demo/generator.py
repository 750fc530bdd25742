"""Deterministic synthetic CRM data (domains and proportions of section 6 of the legacy document).

The same seed, end date and size give the same rows. Everything is drawn with one numpy generator,
in vectorised form, and loaded in multi-row inserts of ``_CHUNK`` rows inside one transaction.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import time

import numpy as np
import sqlalchemy as sa

from data.demo import codes
from data.demo.common import Cols
from data.demo.load import _load
from data.demo.partenaires import _business_cases, _partner_cols, _partners
from data.demo.people import _careers, _evaluations, _org, _user_cols
from data.demo.portefeuilles import _Portfolios
from data.demo.visites import _visits
from data.source import schema

log = logging.getLogger(__name__)


def generate(
    engine: sa.Engine,
    *,
    visits: int = 60_000,
    seed: int = 20261123,
    end: dt.date | None = None,
    months: int = 18,
) -> dict[str, int]:
    """Re-create the CRM tables, fill them with ``visits`` visits over the ``months`` months ending
    on ``end`` (default today; planned visits reach ``AHEAD`` days further) and return the row count per table
    name."""
    began = time.perf_counter()
    tables, _ = draw(visits=visits, seed=seed, end=end, months=months)
    counts = _load(engine, tables)
    log.info("demo data generated in %.1f s: %s", time.perf_counter() - began, counts)
    return counts


def draw(
    *, visits: int, seed: int, end: dt.date | None = None, months: int = 18
) -> tuple[list[tuple[sa.Table, Cols]], _Portfolios]:
    """The rows ``generate`` loads (columns per table, in load order) and the reps' portfolios behind the visits
    (the CRM has no table for them)."""
    if visits < 0 or months < 1:
        raise ValueError("visits must be >= 0 and months >= 1")
    end = end or dt.date.today()
    first = np.datetime64(_period_start(end, months), "D")
    days = np.arange(first, np.datetime64(end, "D") + 1, dtype="datetime64[D]")
    rng = np.random.default_rng(seed)
    users = _org(rng, n_del=int(np.clip(round(60 * (visits / 60_000) ** 0.5), 20, 120)))
    _careers(rng, users, len(days))
    partners = _partners(rng, max(300, min(10_000, visits * 2 // 15)))
    partner_cols = _partner_cols(rng, partners, users, days)
    visit_cols, contact_cols, portfolios = _visits(rng, users, partners, days, visits)
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
    return tables, portfolios


def _period_start(end: dt.date, months: int) -> dt.date:
    """First day of the ``months`` months that end on ``end``."""
    year, month = divmod(end.year * 12 + end.month - 1 - months, 12)
    day = min(end.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day) + dt.timedelta(days=1)
