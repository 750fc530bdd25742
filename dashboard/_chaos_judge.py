"""What one row of the fault matrix measured, and whether the service told the truth, from the log of hits.

Measured values only: every figure comes from the answers the clients got (``dashboard._chaos_load``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard._chaos_load import Hit, state

#: s after a fault starts before /health must name it, by its design: a state older than 5 s is probed again at
#: the next /health (asked every 0.5 s here), and a probe gives up after 2 s (connect) + 3 s (read)
GRACE = 11.0
SETTLE = 6.0  # s of right answers (and /health "ok") that end the watch after the return
LIMIT = 30.0  # s after the return within which the service must answer right again (the bound)
NEAR = 1.5  # s: API requests made and answered this shortly before a /health answer are what it should describe
#: s after a fault starts or ends when /health may still say what it saw before: its state is up to 1 s old, the
#: probe it starts calls a hang after 1 s waiting, and the answer that says so is the next one (README).
LAG = 3.0


@dataclass
class Row:
    """One fault of the matrix, what ``/health`` must name while it lasts, and what the API should do."""

    key: str
    fault: str
    start: Callable[[Any], None]
    restore: Callable[[Any], None] | None = None  # None: nothing to give back, the service repairs itself
    names: tuple[str, ...] = ()  # the components /health must call "indisponible" ("refresh": refreshes failing)
    serves: bool = True  # the API can answer throughout (from the replica): a 503 is then a defect
    server: str = "A"
    kill: bool = False  # a worker is killed (SIGKILL) half-way through the fault
    message: str = ""  # what every 503 answer must say


@dataclass
class Outcome:
    row: Row
    requests: int = 0
    n503: int = 0
    n5xx: int = 0  # other 5xx: always a defect
    dropped: int = 0  # no HTTP answer (connection cut): only expected from a killed worker
    wrong: int = 0  # 200 with an answer that was never right
    max_latency: float = 0.0
    after_errors: int = 0  # API answers not right after the return
    recovery: float | None = None  # s after the return from which every answer is right
    fresh_after: float | None = None  # s after the return until /health showed a successful refresh
    health: str = ""
    health_max: float = 0.0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def local(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds)


def refreshed_since(hit: Hit, moment: float) -> bool:
    """Does this /health answer show a successful refresh that read the CRM after ``moment``?"""
    replica = hit.health().get("replica") or {}
    checked = replica.get("checked_at")
    if not replica.get("last_refresh_ok") or not checked:
        return False
    return dt.datetime.fromisoformat(str(checked)) > local(moment).replace(microsecond=0)


def error(hit: Hit) -> str:
    """The French message of a JSON error answer (its body as is when it is not JSON)."""
    try:
        return str(json.loads(hit.detail).get("error", hit.detail))
    except (ValueError, AttributeError):
        return hit.detail


def recovery(api: list[Hit], back: float, right: Callable[[Hit], bool]) -> tuple[float | None, int]:
    """Seconds after ``back`` from which every answer is right (None if not seen for ``SETTLE`` s), and how
    many answers after ``back`` were not."""
    after = [hit for hit in api if hit.start >= back]
    bad = [hit for hit in after if not right(hit)]
    if not bad:
        return (0.0 if after else None), 0
    last = max(hit.start for hit in bad)
    later = [hit.start for hit in after if hit.start > last]
    if not later or max(later) - last < SETTLE / 2:
        return None, len(bad)
    return min(later) - back, len(bad)


def judge(row: Row, hits: dict[str, list[Hit]], times: tuple[float, float, float, float], truth: dict[str, str],
          known: set[str], kills: list[float]) -> Outcome:  # fmt: skip
    """The outcome of ``row`` from its hits (by kind); ``times``: the fault began, the dependency came back, the
    fault's window ended (the return, or the hold of a fault that repairs itself), the watch ended.
    ``truth``: the right answer's digest per checked question now, ``known``: every digest ever right."""
    began, back, until, _ended = times
    api, health, footer = hits["api"], hits["health"], hits["footer"]
    out = Outcome(row)
    during = [hit for hit in api if hit.start < until]
    out.requests = len(during)
    out.n503 = sum(hit.status == 503 for hit in during)
    out.n5xx = sum(hit.status >= 500 and hit.status != 503 for hit in during)
    out.max_latency = max((hit.seconds for hit in during), default=0.0)
    killed = [hit for hit in api + footer + health if hit.status == 0 and any(hit.start <= k <= hit.end for k in kills)]
    out.dropped = sum(hit.status == 0 for hit in during)
    out.wrong = sum(hit.status == 200 and hit.path in truth and hit.digest not in known for hit in api)

    def right(hit: Hit) -> bool:
        return hit.status == 200 and truth.get(hit.path, hit.digest) == hit.digest

    out.recovery, out.after_errors = recovery(api, back, right)
    fresh = [hit.end - back for hit in health if hit.start > back and refreshed_since(hit, back)]
    out.fresh_after = min(fresh) if fresh else None
    seen = Counter(state(hit) for hit in health if hit.start < until)
    out.health = ", ".join(f"{name} ×{count}" for name, count in seen.items())
    out.health_max = max((hit.seconds for hit in health), default=0.0)
    _errors(out, api + footer + health, killed, began)
    _truth(out, api, health, footer, times)
    if row.serves and out.n503:
        out.problems.append(f"{out.n503} answers 503 during the fault although the replica could answer them")
    if row.message and any(hit.status == 503 and row.message not in error(hit) for hit in during):
        out.problems.append(f"a 503 answer did not say « {row.message[:40]}… »")
    if out.wrong:
        out.problems.append(f"{out.wrong} answers 200 with numbers that were never right")
    if out.recovery is None or out.recovery > LIMIT:
        out.problems.append("answers not right again within 30 s of the return" if out.recovery is None else
                            f"answers right again only {out.recovery:.1f} s after the return")  # fmt: skip
    if out.fresh_after is None or out.fresh_after > LIMIT:
        out.problems.append("no successful refresh shown by /health within 30 s of the return")
    return out


def _errors(out: Outcome, hits: list[Hit], killed: list[Hit], began: float) -> None:
    """500s are always defects; a cut connection is one unless a worker was killed under it."""
    for hit in hits:
        if hit.status >= 500 and hit.status != 503:
            out.problems.append(f"{hit.kind} {hit.path} answered {hit.status} at +{hit.start - began:.1f} s")
            break
    lost = [hit for hit in hits if hit.status == 0 and hit not in killed]
    if lost:
        out.problems.append(f"{len(lost)} requests got no HTTP answer ({lost[0].detail[:80]})")
    if killed:
        out.notes.append(f"{len(killed)} requests in flight in the killed worker were cut")
    if any(hit.status in (401, 403) for hit in hits):
        out.problems.append("the session or the token was refused (401/403): a login was lost")


def _truth(out: Outcome, api: list[Hit], health: list[Hit], footer: list[Hit], times: tuple[float, ...]) -> None:
    """Did /health name the failing part, agree with what the API did, end "ok", and did the footer agree?"""
    began, back, until, _ended = times
    row = out.row
    if row.names:
        inside = [hit for hit in health if hit.end < until]
        said = {hit: {part.rstrip("?") for part in state(hit).partition(": ")[2].split(", ")} for hit in inside}
        named = [hit for hit in inside if set(row.names) <= said[hit]]  # "not known yet" is no lie
        unnamed = [hit.start for hit in inside if hit not in named]
        since = max(unnamed, default=began - 1)  # from the first answer after the last that missed one
        first = min((hit.start for hit in named if hit.start > since), default=None)
        out.health += f"; named from +{first - began:.1f} s" if first is not None else "; never named"
        if first is None or first - began > GRACE:
            late = f" (only from +{first - began:.1f} s)" if first is not None else ""
            out.problems.append(f"/health did not name « {', '.join(row.names)} » in every answer from "
                                f"{GRACE:.0f} s into the fault{late}")  # fmt: skip
    changes = (began, until, back)
    for hit in health:  # not in the seconds where things change (/health may lag by a probe)
        if any(moment - NEAR <= hit.start <= moment + LAG for moment in changes):
            continue
        near = [a.status for a in api if hit.start - NEAR <= a.start <= a.end <= hit.start and a.status in (200, 503)]
        # ... and just after it: an answer at the very moment things changed agrees with what follows
        after = [a.status for a in api if hit.end <= a.start <= a.end <= hit.end + NEAR and a.status in (200, 503)]
        if len(near) >= 2 and len(set(near)) == 1 and near[0] != hit.status and hit.status not in after:
            out.problems.append(f"/health answered {state(hit)} at +{hit.start - began:.1f} s while the API "
                                f"answered {near[0]} ({len(near)} answers)")  # fmt: skip
            break
    last = [hit for hit in health if hit.start >= back]
    if last and state(last[-1]) != "200 ok":
        out.problems.append(f"/health still said {state(last[-1])} at the end of the watch")
    _footer(out, health, footer, began)
    if row.key == "0":
        _control(out, health, footer)


def _footer(out: Outcome, health: list[Hit], footer: list[Hit], began: float) -> None:
    """The footer must warn exactly when /health says refreshing fails: two footers in a row that disagree with
    the /health answers on both sides of each (a single one may fall in the second the state changed)."""
    wrong: list[Hit] = []
    for hit in footer:
        before = [h for h in health if h.end <= hit.start][-1:]
        after = [h for h in health if h.start >= hit.end][:1]
        pair = before + after
        if hit.status != 200 or len(pair) != 2 or any(h.status != 200 for h in pair):
            continue
        failing = {"refresh" in state(h) for h in pair}
        if len(failing) == 1 and ("⚠" in hit.detail) != failing.pop():
            wrong.append(hit)
            if len(wrong) >= 2 and footer.index(wrong[-2]) == footer.index(hit) - 1:
                out.problems.append(f"the footer said « {hit.detail[-90:]} » at +{hit.start - began:.1f} s, "
                                    f"/health {state(pair[0])}")  # fmt: skip
                return


def _control(out: Outcome, health: list[Hit], footer: list[Hit]) -> None:
    """Nothing is broken: every /health answer must say "ok" and no footer may warn; how often the CRM was read."""
    alarms = [hit for hit in health if state(hit) != "200 ok"]
    warned = [hit for hit in footer if "⚠" in hit.detail]
    if alarms:
        out.problems.append(f"{len(alarms)} of {len(health)} /health answers said {state(alarms[0])} with nothing "
                            "broken")  # fmt: skip
    if warned:
        out.problems.append(f"{len(warned)} of {len(footer)} footers warned « {warned[0].detail[-70:]} »")
    reads = sorted({str((hit.health().get("replica") or {}).get("checked_at")) for hit in health} - {"None"})
    times = [dt.datetime.fromisoformat(text) for text in reads]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    if gaps:
        out.notes.append(f"the CRM was read every {sum(gaps) / len(gaps):.1f} s on average (longest gap "
                         f"{max(gaps):.0f} s; checked_at has a 1 s resolution)")  # fmt: skip
