"""Visites aggregates on the fixture CRM, counted by hand (see tests/fixture_data.py), on SQLite and MariaDB."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from data.metrics import visites, visites_report
from data.metrics.filters import Filters
from data.metrics.scope import EVERYONE, Scope, team_ids


def kpis(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[str, int]:
    with app.server.app_context():
        return visites_report.kpis(visites.counters(Filters.from_body(filters), scope))


def legacy(app: Any, **filters: Any) -> dict[str, Any]:
    with app.server.app_context():
        return visites_report.legacy_payload(Filters.from_body(filters), EVERYONE)["statistiques"]


def test_whole_period_counts_contacts_and_visits_without_deleted_ones(app: Any) -> None:
    # V1..V7 minus the deleted V4: 6 visits; V2 has 3 partners, so 8 contacts.
    assert kpis(app) == {
        "contacts": 8,
        "visites": 6,
        "visites_planifiees": 2,  # V1, V5
        "visites_non_planifiees": 4,  # V2, V3, V6, V7
        "visites_groupe": 1,  # V2
        "visites_en_double": 1,  # V3
    }


def test_the_18_legacy_counters_count_contacts(app: Any) -> None:
    stats = legacy(app)
    counters = {key: value for key, value in stats.items() if key.startswith("nbr_")}
    assert counters == {
        "nbr_total_visites_non_planifiees": 6,  # V2×3, V3, V6, V7
        "nbr_total_visites_planifiees": 2,  # V1, V5
        "nbr_visites_medicales_non_planifiees": 5,  # V2:P1,P2 V3:P4 V6:P4 V7:P2
        "nbr_visites_pharmaceutiques_non_planifiees": 1,  # V2:P3
        "nbr_visites_medicales_planifiees": 1,  # V1:P1
        "nbr_visites_pharmaceutiques_planifiees": 1,  # V5:P3
        "nbr_visites_privees_non_planifiees": 3,  # P1 (V2), P4 (V3, V6): Cabinet
        "nbr_visites_publiques_non_planifiees": 2,  # P2 (V2, V7): Hôpital
        "nbr_visites_privees_planifiees": 1,  # V1:P1
        "nbr_visites_publiques_planifiees": 0,
        "nbr_visites_groupe_non_planifiees": 3,  # V2×3
        "nbr_visites_simple_non_planifiees": 3,  # V3, V6, V7
        "nbr_visites_groupe_planifiees": 0,
        "nbr_visites_simple_planifiees": 2,
        "nbr_visites_indiviuel_non_planifiees": 5,  # V2×3, V6, V7
        "nbr_visites_en_double_non_planifiees": 1,  # V3
        "nbr_visites_indiviuel_planifiees": 2,
        "nbr_visites_en_double_planifiees": 0,
    }
    assert list(counters) == list(visites_report.counters(_empty_counters()))


def _empty_counters() -> Any:
    import pandas as pd

    return pd.DataFrame(columns=visites.COUNTER_COLUMNS)


def test_regions_are_all_present_with_their_cities_nested(app: Any) -> None:
    regions = legacy(app)["region"]
    assert [r["region"] for r in regions] == ["Agadir", "Casablanca", "Rabat"]
    agadir, casa, rabat = regions
    assert agadir == {
        "code_region_partenaire": "RE00001",
        "region": "Agadir",
        "nb_visites_total": 4,  # P1 in V1, V2; P2 in V2, V7
        "ville": [
            {"code_ville_partenaire": "VI00001", "code_region_partenaire": "RE00001", "ville": "Agadir",
             "region": "Agadir", "nb_visites": 2},
            {"code_ville_partenaire": "VI00002", "code_region_partenaire": "RE00001", "ville": "Inezgane",
             "region": "Agadir", "nb_visites": 2},
        ],
    }  # fmt: skip
    assert casa["nb_visites_total"] == 4  # P3 in V2, V5; P4 in V3, V6
    assert [(v["ville"], v["nb_visites"]) for v in casa["ville"]] == [("Azemmour", 2), ("Casablanca", 2)]
    assert rabat == {"code_region_partenaire": "RE00003", "region": "Rabat", "nb_visites_total": 0, "ville": []}


def test_region_visits_are_distinct_visits_not_summed_cities(app: Any) -> None:
    with app.server.app_context():
        parents, _ = visites_report.regions(Filters(), EVERYONE, "visites")
    # Agadir: V1, V2, V7; Casablanca: V2, V3, V5, V6 (V2 is a group visit across both).
    assert dict(zip(parents["libelle"], parents["n"], strict=True)) == {"Agadir": 3, "Casablanca": 4, "Rabat": 0}


def test_gammes_exclude_pharmacies_and_keep_empty_gammes(app: Any) -> None:
    gammes = legacy(app)["gammes"]
    assert [(g["gamme"], g["nbr_total_visites"]) for g in gammes] == [("DERMATO", 4), ("GYNECO", 2), ("RHUMATO", 0)]
    assert gammes[0]["specialites"] == [
        {"code_specialite": "SP00001", "specialite": "Chirurgie Plastique", "gamme": "DERMATO", "code_gamme": "GA00001",
         "nb_visites_total": 2},
        {"code_specialite": "SP00002", "specialite": "Dermatologie", "gamme": "DERMATO", "code_gamme": "GA00001",
         "nb_visites_total": 2},
    ]  # fmt: skip
    assert gammes[2]["specialites"] == []


@pytest.mark.parametrize(
    ("filters", "expected_visits", "expected_contacts"),
    [
        ({"id_responsable": 2}, 4, 6),  # team 2, 3, 4: V1, V2, V3, V7
        ({"id_responsable": 5}, 2, 2),  # team 5, 6, 7: V5, V6
        ({"id_responsable": 1}, 6, 8),  # the director sees everyone below
        ({"id_responsable": 8}, 0, 0),  # 8 ↔ 9 is a cycle: must end, with nothing
        ({"id_utilisateur": 4}, 1, 1),  # V3 (V4 is deleted)
        ({"annee": 2025}, 5, 7),  # all but V6
        ({"mois": 1}, 3, 5),  # January of any year: V1, V2, V6
        ({"annee": 2025, "mois": 1}, 2, 4),  # V1, V2
        ({"end_date": "2025-03-31"}, 5, 7),  # inclusive last day: V7 at 18:45 counts
        ({"start_date": "2025-03-31"}, 2, 2),  # V7, V6
        ({"start_date": "2025-02-01", "end_date": "2025-03-05"}, 2, 2),  # V3, V5
        ({"region": "RE00001"}, 3, 4),  # V1, V2 (P1, P2), V7
        ({"region": ["RE00001", "RE00002"]}, 6, 8),
        ({"gamme": "GA00002"}, 2, 2),  # P2 in V2 and V7
        ({"gamme": "GA00003"}, 0, 0),
        ({"annee": 2026, "id_responsable": 2}, 0, 0),
    ],
)
def test_filters(app: Any, filters: dict[str, Any], expected_visits: int, expected_contacts: int) -> None:
    numbers = kpis(app, **filters)
    assert (numbers["visites"], numbers["contacts"]) == (expected_visits, expected_contacts)


def test_empty_result_gives_zeros_not_errors(app: Any) -> None:
    stats = legacy(app, annee=2030)
    assert all(value == 0 for key, value in stats.items() if key.startswith("nbr_"))
    assert [r["nb_visites_total"] for r in stats["region"]] == [0, 0, 0]


def test_scope_restricts_and_intersects(app: Any) -> None:
    with app.server.app_context():
        team = Scope(team_ids(5))
    assert team.user_ids == (5, 6, 7)
    assert kpis(app, team)["visites"] == 2
    assert kpis(app, team, id_responsable=1)["visites"] == 2  # never widened by a filter
    assert kpis(app, Scope(()))["visites"] == 0


def test_timeline_counts_days(app: Any) -> None:
    with app.server.app_context():
        days = visites.timeline(Filters(), EVERYONE)
    assert [(d.strftime("%Y-%m-%d"), c, v) for d, c, v in days.itertuples(index=False)] == [
        ("2025-01-10", 1, 1),
        ("2025-01-15", 3, 1),
        ("2025-02-03", 1, 1),
        ("2025-03-05", 1, 1),
        ("2025-03-31", 1, 1),
        ("2026-01-08", 1, 1),
    ]


def test_the_days_after_today_are_not_days_of_data(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CRM holds the visits planned for the next days (the demo: 14 days): the last day of data (the footer's
    "visites du … au …", the date picker, the years, the timeline) is today at most. With "today" on 2025-12-31,
    V6 (2026-01-08) is such a visit; it is still counted, as the legacy counts every visit not deleted."""
    from data.metrics import filters as filters_module
    from data.metrics import options

    monkeypatch.setattr(filters_module, "today", lambda: dt.date(2025, 12, 31))
    with app.server.app_context():
        bounds, years = options.date_bounds(), options.years()
        months = visites.calendar_rows(Filters(), EVERYONE, "mois")
        span = Filters.from_body({"start_date": "2025-06-01", "end_date": "2026-06-30"})
        later = visites.calendar_rows(span, EVERYONE, "mois")
    assert bounds == ("2025-01-10", "2025-12-31") and years == [2025]
    assert [(month.isoformat(), n) for month, _, n in months][-1] == ("2025-03-01", 2)  # V5 and V7
    assert sum(n for *_, n in months) == 5
    assert [(month.isoformat(), n) for month, _, n in later][-1] == ("2025-12-01", 0)  # zeros up to today only
    assert kpis(app)["visites"] == 6
