"""KPI comparisons (issue 13): the previous period and the same period one year earlier, counted by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient

from data.metrics import periods
from data.metrics.filters import Filters

D = dt.date


@pytest.mark.parametrize(
    ("filters", "current", "previous", "earlier"),
    [
        # a calendar month: the month before (across the year boundary), and the same month a year before
        (Filters(annee=2026, mois=1), (D(2026, 1, 1), D(2026, 1, 31)), (D(2025, 12, 1), D(2025, 12, 31)),
         (D(2025, 1, 1), D(2025, 1, 31))),
        # March of a leap year: February before it has 29 days
        (Filters(annee=2024, mois=3), (D(2024, 3, 1), D(2024, 3, 31)), (D(2024, 2, 1), D(2024, 2, 29)),
         (D(2023, 3, 1), D(2023, 3, 31))),
        # a year: the year before (both comparisons)
        (Filters(annee=2025), (D(2025, 1, 1), D(2025, 12, 31)), (D(2024, 1, 1), D(2024, 12, 31)),
         (D(2024, 1, 1), D(2024, 12, 31))),
        # dates: as many days, ending the day before; 29 February a year earlier is the 28th
        (Filters(start_date=D(2024, 2, 10), end_date=D(2024, 2, 29)), (D(2024, 2, 10), D(2024, 2, 29)),
         (D(2024, 1, 21), D(2024, 2, 9)), (D(2023, 2, 10), D(2023, 2, 28))),
        # a year narrowed by dates: their intersection, compared by its length
        (Filters(annee=2025, start_date=D(2024, 12, 1), end_date=D(2025, 1, 10)), (D(2025, 1, 1), D(2025, 1, 10)),
         (D(2024, 12, 22), D(2024, 12, 31)), (D(2024, 1, 1), D(2024, 1, 10))),
    ],
)  # fmt: skip
def test_the_periods_compared(filters: Filters, current: Any, previous: Any, earlier: Any) -> None:
    assert periods.bounds(filters) == periods.Period(*current)
    assert periods.previous(filters) == periods.Period(*previous)
    assert periods.year_earlier(filters) == periods.Period(*earlier)


@pytest.mark.parametrize(
    "filters", [Filters(), Filters(mois=3), Filters(start_date=D(2025, 1, 1)), Filters(end_date=D(2025, 1, 1))]
)
def test_an_unbounded_period_has_no_comparison(filters: Filters) -> None:
    assert periods.previous(filters) is None and periods.year_earlier(filters) is None


def test_change_in_percent() -> None:
    assert periods.change(3, 2) == 50.0 and periods.change(1, 4) == -75.0
    assert periods.change(3, 0) is None and periods.change(None, 2) is None and periods.change(2, None) is None


def test_v1_bodies_carry_both_comparisons(client: FlaskClient) -> None:
    """Fixture visits: V1 2025-01-10, V2 2025-01-15, V3 2025-02-03, V5 2025-03-05, V6 2026-01-08, V7 2025-03-31
    (V4 is deleted)."""
    body = client.get("/api/v1/visites", query_string={"annee": 2026, "mois": 1}).get_json()
    assert body["indicateurs"]["visites"] == 1  # V6
    assert body["precedent"]["start_date"] == "2025-12-01" and body["precedent"]["indicateurs"]["visites"] == 0
    assert body["annee_precedente"]["end_date"] == "2025-01-31"
    assert body["annee_precedente"]["indicateurs"]["visites"] == 2  # V1, V2
    body = client.get("/api/v1/performance", query_string={"start_date": "2025-02-01", "end_date": "2025-03-31"})
    got = body.get_json()
    assert got["indicateurs"]["visites"] == 3  # V3, V5, V7
    # 59 days before: 2024-12-04 … 2025-01-31 holds V1, V2
    assert (got["precedent"]["start_date"], got["precedent"]["indicateurs"]["visites"]) == ("2024-12-04", 2)
    assert got["annee_precedente"]["indicateurs"]["visites"] == 0
    for area in ("visites", "performance", "partenaires", "evaluations", "investissements", "utilisateurs"):
        whole = client.get(f"/api/v1/{area}").get_json()
        assert whole["precedent"] is None and whole["annee_precedente"] is None  # all time: nothing to compare
        month = client.get(f"/api/v1/{area}", query_string={"annee": 2025, "mois": 3}).get_json()
        assert set(month["precedent"]["indicateurs"]) == set(month["indicateurs"])


def test_a_visit_in_both_earlier_periods_counts_in_each(client: FlaskClient) -> None:
    """400 days from 2025-01-12: the 400 days before (2023-12-09 … 2025-01-11) hold V1; one year earlier
    (2024-01-12 … 2025-02-15) holds V1, V2 and V3: both earlier periods are read in one statement, V1 in both."""
    dates = {"start_date": "2025-01-12", "end_date": "2026-02-15"}
    for area, key in (("visites", "visites"), ("performance", "visites"), ("utilisateurs", "visites")):
        body = client.get(f"/api/v1/{area}", query_string=dates).get_json()
        assert body["indicateurs"][key] == 5, area  # V2, V3, V5, V6, V7
        assert body["precedent"]["start_date"] == "2023-12-09" and body["precedent"]["indicateurs"][key] == 1, area
        assert body["annee_precedente"]["indicateurs"][key] == 3, area


@pytest.mark.parametrize(
    ("name", "today", "days"),
    [
        ("mois_en_cours", D(2026, 11, 29), (D(2026, 11, 1), D(2026, 11, 29))),
        ("mois_dernier", D(2026, 1, 15), (D(2025, 12, 1), D(2025, 12, 31))),
        ("mois_dernier", D(2024, 3, 31), (D(2024, 2, 1), D(2024, 2, 29))),
        ("trimestre_en_cours", D(2026, 11, 29), (D(2026, 10, 1), D(2026, 11, 29))),
        ("depuis_janvier", D(2026, 11, 29), (D(2026, 1, 1), D(2026, 11, 29))),
        ("12_derniers_mois", D(2024, 2, 29), (D(2023, 3, 1), D(2024, 2, 29))),
    ],
)
def test_presets_follow_the_calendar(name: str, today: dt.date, days: Any) -> None:
    assert periods.preset(name, today) == periods.Period(*days)


def test_the_all_time_preset_has_no_bounds_and_an_unknown_one_fails() -> None:
    assert periods.preset("tout", D(2026, 1, 1)) is None
    with pytest.raises(KeyError):
        periods.preset("hier", D(2026, 1, 1))


def test_a_preset_resolves_against_today_and_meets_the_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    from data.metrics import filters as filters_module
    from data.metrics.filters import FilterError

    monkeypatch.setattr(filters_module, "today", lambda: D(2025, 2, 10))
    last_month = Filters.from_mapping({"periode": "mois_dernier"})
    assert (last_month.start_date, last_month.end_date) == (D(2025, 1, 1), D(2025, 1, 31))
    narrowed = Filters.from_mapping({"periode": "mois_dernier", "start_date": "2025-01-12"})
    assert (narrowed.start_date, narrowed.end_date) == (D(2025, 1, 12), D(2025, 1, 31))
    assert Filters.from_mapping({"periode": "tout"}).start_date is None
    with pytest.raises(FilterError) as caught:
        Filters.from_mapping({"periode": "mois_en_cours", "end_date": "2025-01-31"})
    assert caught.value.field == "periode"
    with pytest.raises(FilterError):
        Filters.from_mapping({"periode": "hier"})
    # the month so far compares with the same days of the month before
    so_far = Filters.from_mapping({"periode": "mois_en_cours"})
    assert periods.previous(so_far) == periods.Period(D(2025, 1, 1), D(2025, 1, 10))


def test_the_api_takes_a_preset(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from data.metrics import filters as filters_module

    monkeypatch.setattr(filters_module, "today", lambda: D(2025, 2, 10))
    body = client.get("/api/v1/visites", query_string={"periode": "mois_dernier"}).get_json()
    assert body["filtres"]["start_date"] == "2025-01-01" and body["indicateurs"]["visites"] == 2  # V1, V2
    assert client.post("/data", json={"periode": "mois_dernier"}).status_code == 400  # legacy routes: unknown
    assert client.get("/api/v1/evaluations", query_string={"periode": "hier"}).get_json()["field"] == "periode"


@pytest.mark.parametrize(
    ("user", "landing"),
    [
        ("admin", "/visites?periode=mois_en_cours"),
        ("chef", "/equipe?id_responsable=2&periode=mois_en_cours"),  # linked to user 2, who leads 3 and 4
        ("orphelin", "/visites?periode=mois_en_cours"),
    ],
)
def test_the_dashboard_opens_on_the_current_month_and_a_manager_s_team(
    sqlite_url: str, user: str, landing: str
) -> None:
    from tests.conftest import build_app, login

    client = login(build_app(sqlite_url).server.test_client(), user)
    assert client.get("/").headers["Location"] == landing
    assert client.get("/?annee=2025").headers["Location"] == "/visites?annee=2025"  # a link keeps its view


def test_a_saved_default_view_is_where_the_dashboard_opens(sqlite_url: str) -> None:
    from dashboard import saved_views
    from data.app import accounts, views
    from tests.conftest import build_app, login

    app = build_app(sqlite_url)
    client = login(app.server.test_client(), "chef")
    with app.server.app_context():
        chef = accounts.find("chef")
        assert chef is not None
        path = saved_views.current_path("/performance", "?region=RE00001", [[["pas", "mois"]], "x"])
        assert path == "/performance?region=RE00001&pas=mois"
        views.save(chef.id, "  Ma   région ", path, default=True)
        views.save(chef.id, "Autre", "/visites?annee=2025")
        assert [(v["name"], v["is_default"]) for v in views.of(chef.id)] == [("Ma région", True), ("Autre", False)]
        with pytest.raises(views.ViewError):
            views.save(chef.id, " ", "/visites")
        with pytest.raises(views.ViewError):
            views.save(chef.id, "Ailleurs", "//evil.example/visites")
    assert client.get("/").headers["Location"] == "/performance?region=RE00001&pas=mois"
    with app.server.app_context():
        views.save(chef.id, "Autre", "/visites?annee=2025", default=True)  # one default at a time
        assert [v["name"] for v in views.of(chef.id) if v["is_default"]] == ["Autre"]
        assert views.delete(chef.id, views.of(chef.id)[0]["id"]) and not views.delete(chef.id, 10_000)
    assert client.get("/").headers["Location"] == "/equipe?id_responsable=2&periode=mois_en_cours"


def test_the_investments_page_takes_a_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found trying the demo: "Filtres invalides" on Investissements with a preset (its page filters refused it)."""
    from data.metrics import filters as filters_module
    from pages._investissements import with_page_filters

    monkeypatch.setattr(filters_module, "today", lambda: D(2025, 2, 10))
    merged = with_page_filters(Filters.from_mapping({"periode": "mois_dernier"}), ["TI00001"], None)
    assert isinstance(merged, Filters)
    assert (merged.start_date, merged.end_date, merged.code_type_investissement) == (
        D(2025, 1, 1), D(2025, 1, 31), ("TI00001",)
    )  # fmt: skip
