"""The fault matrix's judge (``make chaos``): its figures come from the answers, counted here by hand."""

from __future__ import annotations

import json

from dashboard._chaos_judge import Row, judge, recovery
from dashboard._chaos_load import Hit, state


def api(start: float, status: int = 200, digest: str = "right", path: str = "/api/v1/visites") -> Hit:
    return Hit("api", path, start, start + 0.1, status, digest, "")


def health(start: float, status: int = 200, failing: tuple[str, ...] = (), refresh_ok: bool = True) -> Hit:
    parts = {name: {"etat": "indisponible" if name in failing else "ok"} for name in ("crm", "comptes", "cache")}
    replica = {"last_refresh_ok": refresh_ok, "checked_at": "2026-11-28T12:00:00"}
    body = {"status": "ok" if not failing else ("error" if status == 503 else "degraded"), "components": parts}
    return Hit("health", "/health", start, start + 0.01, status, "", json.dumps({**body, "replica": replica}))


def right(hit: Hit) -> bool:
    return hit.status == 200 and hit.digest == "right"


def test_recovery_is_counted_from_the_return_to_the_first_request_after_the_last_wrong_one() -> None:
    hits = [api(9.0, 503), api(10.5, 503), api(11.0, 200, "stale"), api(12.0), api(13.0), api(17.0)]
    assert recovery(hits, back=10.0, right=right) == (2.0, 2)  # from 12.0; 10.5 and 11.0 were not right


def test_recovery_is_zero_when_every_answer_after_the_return_is_right_and_none_when_never_settled() -> None:
    assert recovery([api(9.0, 503), api(10.2), api(11.0)], back=10.0, right=right) == (0.0, 0)
    assert recovery([api(10.2), api(11.0, 503)], back=10.0, right=right) == (None, 1)


def test_state_names_what_health_calls_failing_and_a_failing_refresh() -> None:
    assert state(health(0, 503, ("comptes",))) == "503 error: comptes"
    assert state(health(0, 200, ("crm",), refresh_ok=False)) == "200 degraded: crm, refresh"
    assert state(health(0)) == "200 ok"
    hung = json.loads(health(0, 200, ("crm",), refresh_ok=False).detail)
    hung["components"]["crm"]["etat"] = "ne répond pas"  # a probe still waiting: failing too
    assert state(Hit("health", "/health", 0, 1, 200, "", json.dumps(hung))) == "200 degraded: crm, refresh"
    assert state(Hit("health", "/health", 0, 1, 0, "", "timed out")) == "no answer"


def test_a_500_a_late_health_and_an_unrecovered_service_each_fail_the_row() -> None:
    row = Row("1", "accounts database refused", print, print, ("comptes",), serves=False)
    hits = {
        "api": [api(0.5, 503), api(5.0, 500), api(21.0), api(25.0), api(29.0)],
        "health": [health(t) for t in (1.0, 12.0, 14.0)] + [health(22.0)],  # never names "comptes"
        "footer": [],
    }
    out = judge(row, hits, (0.0, 20.0, 20.0, 30.0), {"/api/v1/visites": "right"}, {"right"}, [])
    assert (out.requests, out.n503, out.n5xx, out.recovery) == (2, 1, 1, 0.0)
    assert any("answered 500" in problem for problem in out.problems)
    assert any("did not name « comptes »" in problem for problem in out.problems)
    assert not out.ok
