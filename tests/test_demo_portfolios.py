"""The demo's reps follow portfolios (issue 13, item 9), measured on the demo database ``make run`` creates:
most visits go to the portfolio, as often as the partner's potential asks, a few reps fall behind, some
accounts are neglected lately, planned visits have outcomes, and the CRM holds the plan of the next 14 days.

The CRM has no portfolio table: the test database gets one (``portefeuille``) from the generator's own
draw, with the same seed, size and end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from data import demo
from data.demo.generator import draw

END = dt.date(2026, 11, 20)
FIRST_DAY = dt.date(2025, 5, 21)  # 18 months ending on END
MONTHS = ((END - FIRST_DAY).days + 1) / 30.44
VISITS = 60_000  # the demo's default size
SEED = 20261123  # generate()'s default
#: Visit-level conditions: on or before END (not the plan ahead), not deleted.
DONE = "v.date_visite < :after_end AND v.code_statut_visite <> 'SUPP'"
PARAMS = {"after_end": (END + dt.timedelta(days=1)).isoformat(), "end": END.isoformat(), "first": FIRST_DAY.isoformat()}


@pytest.fixture(scope="module")
def crm() -> Iterator[sa.Engine]:
    """The default demo CRM ending on END, with the drawn portfolios as table ``portefeuille``."""
    engine = sa.create_engine("sqlite://", poolclass=sa.StaticPool)
    demo.generate(engine, visits=VISITS, seed=SEED, end=END)
    _, portfolios = draw(visits=VISITS, seed=SEED, end=END)
    rows = [
        {"u": rep + 1, "p": partner + 1, "f": rate}
        for rep, partner, rate in zip(
            portfolios.rep.tolist(), portfolios.partner.tolist(), portfolios.rate.tolist(), strict=True
        )
    ]
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE portefeuille (id_utilisateur INTEGER, id_partenaire INTEGER, frequence REAL,"
            " PRIMARY KEY (id_utilisateur, id_partenaire))"
        )
        conn.execute(sa.text("INSERT INTO portefeuille VALUES (:u, :p, :f)"), rows)
    yield engine
    engine.dispose()


def _all(engine: sa.Engine, sql: str) -> list[Any]:
    """The rows of a statement, with the module's date parameters."""
    with engine.connect() as conn:
        return list(conn.execute(sa.text(sql), PARAMS))


#: Per portfolio pair of the reps there all along (hired before the period, never deactivated): the partner's
#: potential, the target frequency and the visits made on or before END.
PAIRS = f"""
    SELECT f.id_utilisateur, f.id_partenaire, trim(p.code_potentiel) AS potentiel, f.frequence,
           (SELECT count(*) FROM tab_visite v JOIN tab_partenaire_visite pv ON pv.id_visite = v.id_visite
            WHERE v.id_utilisateur = f.id_utilisateur AND pv.id_partenaire = f.id_partenaire AND {DONE}) AS visites
    FROM portefeuille f
    JOIN tab_partenaire p ON p.id_partenaire = f.id_partenaire
    JOIN tab_utilisateur u ON u.id_utilisateur = f.id_utilisateur
    WHERE u.date_creation < :first AND u.date_desactivation IS NULL
"""


def test_most_visits_of_each_rep_go_to_its_portfolio_the_rest_to_its_region(crm: sa.Engine) -> None:
    rows = _all(
        crm,
        f"""SELECT v.id_utilisateur, count(*), count(f.id_partenaire),
                   sum(f.id_partenaire IS NULL AND pv.code_region_partenaire = (
                       SELECT p.code_region_partenaire FROM portefeuille g JOIN tab_partenaire p USING (id_partenaire)
                       WHERE g.id_utilisateur = v.id_utilisateur
                       GROUP BY 1 ORDER BY count(*) DESC LIMIT 1))
            FROM tab_visite v
            JOIN tab_partenaire_visite pv ON pv.id_visite = v.id_visite AND pv.order_partenaire = 1
            JOIN tab_utilisateur u ON u.id_utilisateur = v.id_utilisateur
            LEFT JOIN portefeuille f ON f.id_utilisateur = v.id_utilisateur AND f.id_partenaire = pv.id_partenaire
            WHERE u.role IN ('DEL', 'KAM') AND {DONE}
            GROUP BY v.id_utilisateur""",
    )
    visits, in_portfolio, in_region = (sum(row[i] for row in rows) for i in (1, 2, 3))
    assert len(rows) == 70  # 60 DEL and 10 KAM
    assert 0.85 <= in_portfolio / visits <= 0.90
    assert min(inside / n for _, n, inside, _ in rows if n >= 100) >= 0.80
    assert in_region / (visits - in_portfolio) >= 0.97  # the others: partners of the rep's region


def test_portfolio_partners_are_visited_as_often_as_their_potential_asks(crm: sa.Engine) -> None:
    """Targets: A+ twice a month, A monthly, B every two months, C quarterly, D rarely (0.1)."""
    rows = _all(crm, f"SELECT potentiel, avg(visites) / {MONTHS}, count(*) FROM ({PAIRS}) GROUP BY potentiel")
    per_month = {potential: rate for potential, rate, _ in rows}
    assert min(n for *_, n in rows) >= 15  # enough pairs of each potential to mean something
    assert per_month["D"] < per_month["C"] < per_month["B"] < per_month["A"] < per_month["A+"]
    assert 1.6 <= per_month["A+"] <= 2.4 and 0.8 <= per_month["A"] <= 1.2 and 0.4 <= per_month["B"] <= 0.6
    assert 0.25 <= per_month["C"] <= 0.42 and per_month["D"] <= 0.2


def test_a_few_reps_are_behind_the_others_on_pace(crm: sa.Engine) -> None:
    """A rep's attainment: its portfolio visits over the targets' sum (frequency x months)."""
    rows = _all(crm, f"SELECT id_utilisateur, sum(visites) / sum(frequence * {MONTHS}) FROM ({PAIRS}) GROUP BY 1")
    behind = sorted(attainment for _, attainment in rows if attainment < 0.75)
    assert len(rows) >= 40
    assert 2 <= len(behind) <= 4 and behind[0] >= 0.45 and behind[-1] <= 0.72  # 50-70 % of the normal pace
    assert min(attainment for _, attainment in rows if attainment >= 0.75) >= 0.85


def test_some_a_and_a_plus_accounts_are_neglected_lately(crm: sa.Engine) -> None:
    """A+/A portfolio accounts of the reps still there whose rep has not seen them for 60 days or more (the plan
    ahead counted: nothing is planned for them either) but did in the year before: "comptes à relancer"."""
    rows = _all(
        crm,
        """SELECT trim(p.code_potentiel), julianday(:end) - julianday(max(date(v.date_visite)))
           FROM portefeuille f
           JOIN tab_partenaire p ON p.id_partenaire = f.id_partenaire
           JOIN tab_utilisateur u ON u.id_utilisateur = f.id_utilisateur
           LEFT JOIN tab_partenaire_visite pv ON pv.id_partenaire = f.id_partenaire
           LEFT JOIN tab_visite v ON v.id_visite = pv.id_visite AND v.id_utilisateur = f.id_utilisateur
                AND v.code_statut_visite <> 'SUPP'
           WHERE u.date_desactivation IS NULL AND trim(p.code_potentiel) IN ('A+', 'A')
           GROUP BY f.id_utilisateur, f.id_partenaire""",
    )
    silent = [(potential, days) for potential, days in rows if days is None or days >= 60]
    assert len(rows) >= 1000
    assert 0.05 <= len(silent) / len(rows) <= 0.20
    assert len(silent) >= 100 and sum(potential == "A+" for potential, _ in silent) >= 5
    assert all(days is not None and days <= 365 for _, days in silent)  # seen in the year before


def test_statuses_follow_the_visit_type(crm: sa.Engine) -> None:
    rows = _all(
        crm,
        """SELECT code_type_visite, code_statut_visite, date_visite < :after_end, count(*)
           FROM tab_visite GROUP BY 1, 2, 3""",
    )
    total = sum(n for *_, n in rows)
    share = {status: 100 * sum(n for _, s, _, n in rows if s == status) / total for *_, status, _, _ in rows}
    assert 90 <= share["REAL"] <= 96 and 2.5 <= share["ENAT"] <= 5 and 1.5 <= share["ABSE"] <= 3.5  # 6.3: 94, 3.7, 2.4
    assert 0 < share["REPL"] < 1 and 0.5 <= share["SUPP"] <= 5
    assert 19 <= 100 * sum(n for kind, *_, n in rows if kind == "PLAN") / total <= 23
    assert {status for kind, status, _, _ in rows if kind == "HOPL"} == {"REAL", "SUPP"}  # logged after the fact
    planned = {status: n for kind, status, past, n in rows if kind == "PLAN" and past and status != "SUPP"}
    outcome = {status: 100 * n / sum(planned.values()) for status, n in planned.items()}
    assert 66 <= outcome["REAL"] <= 76 and 8 <= outcome["ABSE"] <= 14  # plan adherence about 70 %
    assert 0.3 <= outcome["REPL"] <= 2 and 14 <= outcome["ENAT"] <= 20


def test_the_next_14_days_hold_planned_visits_only(crm: sa.Engine) -> None:
    rows = _all(
        crm,
        """SELECT code_type_visite, code_statut_visite, date(date_visite), date_creation, date_rapport,
                  pv.code_type_partenaire, f.id_partenaire IS NOT NULL
           FROM tab_visite v
           JOIN tab_partenaire_visite pv ON pv.id_visite = v.id_visite AND pv.order_partenaire = 1
           LEFT JOIN portefeuille f ON f.id_utilisateur = v.id_utilisateur AND f.id_partenaire = pv.id_partenaire
           WHERE v.date_visite >= :after_end""",
    )
    days = sorted({day for _, _, day, *_ in rows})
    assert 100 <= len(rows) <= 0.01 * VISITS
    assert {(kind, status) for kind, status, *_ in rows} == {("PLAN", "ENAT")}
    assert days[-1] <= (END + dt.timedelta(days=14)).isoformat() and len(days) >= 8
    assert all(str(created) < PARAMS["after_end"] and reported is None for _, _, _, created, reported, *_ in rows)
    assert {partner_type for *_, partner_type, _ in rows} == {"MEDE"}
    assert sum(inside for *_, inside in rows) >= 0.9 * len(rows)
    first_week = (END + dt.timedelta(days=8)).isoformat()
    assert sum(day < first_week for _, _, day, *_ in rows) > sum(day >= first_week for _, _, day, *_ in rows)


def test_the_visits_potential_mix_stays_the_documents(crm: sa.Engine) -> None:
    """Section 6.3: A 56 %, B 27 %, A+ 15 %, C 2 %, D 0.1 % of the visited contacts."""
    rows = _all(
        crm,
        """SELECT trim(p.code_potentiel), count(*) FROM tab_partenaire_visite pv
           JOIN tab_partenaire p ON p.id_partenaire = pv.id_partenaire GROUP BY 1""",
    )
    total = sum(n for _, n in rows)
    share = {potential: 100 * n / total for potential, n in rows}
    assert 50 <= share["A"] <= 62 and 21 <= share["B"] <= 32 and 11 <= share["A+"] <= 19
    assert 1 <= share["C"] <= 4 and 0 < share["D"] <= 0.5
