"""A manager's sidebar offers only their team: the managers and reps lists never name anyone outside it."""

from __future__ import annotations

from typing import Any

from dashboard.shell import sidebar_options
from tests.conftest import login

EMPTY: list[Any] = [None, None, None, None, [], [], None, None]


def options_as(app: Any, username: str, values: list[Any] = EMPTY) -> list[Any]:
    """The sidebar's options as ``username`` gets them (through a real login and its session)."""
    client = login(app.server.test_client(), username)
    with client.session_transaction() as session:
        cookie_session = dict(session)
    with app.server.test_request_context("/visites"):
        from flask import session as flask_session

        flask_session.update(cookie_session)
        app.server.preprocess_request()  # the guard sets the account's scope
        return sidebar_options(values)


def test_a_manager_is_offered_only_their_team(sqlite_app: Any) -> None:
    managers, reps = options_as(sqlite_app, "chef")[:2]  # chef is linked to user 2: team 2, 3, 4
    assert [o["value"] for o in managers] == [2]
    assert sorted(o["value"] for o in reps) == [2, 3, 4]


def test_an_admin_is_offered_everyone_and_an_unlinked_viewer_no_one(sqlite_app: Any) -> None:
    managers, reps = options_as(sqlite_app, "admin")[:2]
    assert {o["value"] for o in managers} == {1, 2, 5, 8, 9}  # every user with someone below them
    assert len(reps) == 9
    managers, reps = options_as(sqlite_app, "orphelin")[:2]
    assert managers == [] and reps == []


def test_a_link_naming_someone_outside_the_team_is_kept_visible_but_refused(sqlite_app: Any) -> None:
    """A shared URL with another team's manager: the value stays (so the error names it), the data is refused."""
    managers = options_as(sqlite_app, "chef", [5, None, None, None, [], [], None, None])[0]
    assert [o["value"] for o in managers] == [2, 5]  # 5 only because the URL asked for it
    chef = login(sqlite_app.server.test_client(), "chef")
    assert chef.get("/api/v1/visites?id_responsable=5").status_code == 403
