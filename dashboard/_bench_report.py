"""The benchmark's report: the Markdown tables of docs/benchmarks.md and the targets checked at the largest size."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
from collections.abc import Callable

from dashboard._bench_data import AREAS, COMPARED, COMPARED_SETS, LIGHT_AREAS, SizeResult

NOTES = "## Reading the figures"
COMPARED_HEADING = "## Answers with their comparisons"
#: Issue 13's targets for those answers, comparisons included (p50 ms): the whole company, a team.
COMPARED_TARGETS = {"company": 100.0, "team": 30.0}


def fmt_list(values: list[float], decimals: int = 2) -> str:
    return ", ".join(f"{v:.{decimals}f}" for v in values)


def p(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, by linear interpolation."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def report(results: list[SizeResult], commit: str, elapsed: float) -> str:
    """The Markdown report (also printed)."""
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on commit `{commit}`, {dt.datetime.now():%Y-%m-%d %H:%M}, on this machine: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, MariaDB on 127.0.0.1 (default settings), "
        f"Redis for the cache. The run took {elapsed / 60:.0f} min.",
        "",
        "Each figure is the time to answer `GET /api/v1/<area>` with the filters shown (Flask test client in "
        "process: routing, filters, every query of the area and the JSON body), p50 / p95 over the repeats "
        "(n: how many; MariaDB questions stop repeating after 30 s, replica ones after 10 s). "
        "Modes: **MariaDB** = the CRM database straight (`MEDIVIZ_SERVE_FROM=crm`, no cache; measured up to 1M "
        "visits: at 10M a whole-period question would take tens of minutes); **replica** = the "
        "DuckDB replica, no cache; **cached** = the replica behind the Redis cache (a repeated question).",
        "",
    ]
    for result in results:
        lines += size_section(result)
        lines += compared_section(result)
    lines += growth(results)
    for result in results:
        if result.visits in TARGETS:
            lines += [f"## Targets at {result.visits:,} visits".replace(",", " "), ""]
            lines += ["| target | measured | verdict |", "|---|---|---|"]
            for label, measured, limit, lower_is_better in checks(result):
                ok = measured <= limit if lower_is_better else measured >= limit
                factor = measured / limit if lower_is_better else limit / measured
                verdict = "met" if ok else f"**missed** by ×{factor:.1f}"
                if measured == float("inf"):
                    verdict, measured_text = "**missed**: an answer failed", "—"
                else:
                    measured_text = f"{measured:.1f}"
                lines.append(f"| {label} | {measured_text} | {verdict} |")
            lines.append("")
    return "\n".join(lines) + "\n"


def size_section(result: SizeResult) -> list[str]:
    """The section of one size: builds, then every area × filter set in each mode, then page and memory."""
    lines = [f"## {result.visits:,} visits".replace(",", " "), ""]
    generated = result.generate_note if result.generate_s is None else f"generated in {result.generate_s:.1f} s"
    lines += [
        f"* MariaDB database: {generated}",
        f"* replica full build: {result.build_s:.1f} s ({result.replica_mb:.0f} MB on disk, build process peak "
        f"{result.build_rss_mb:.0f} MB)",
        f"* incremental refresh after 1 000 new visits and 300 changed statuses: {result.incremental_s:.2f} s "
        f"({result.incremental_kind})",
        "",
        "| area | filters | MariaDB p50 / p95 (n) | replica p50 / p95 (n) | cached p50 / p95 (n) | speed-up |",
        "|---|---|---:|---:|---:|---:|",
    ]
    sets = sorted({key[2] for key in result.timings}, key=list(filter_order()).index)
    for area in AREAS:
        for name in sets:
            cells = []
            for mode in ("mariadb", "replica", "cached"):
                times = result.timings.get((mode, area, name))
                failed = result.failures.get((mode, area, name))
                cell = f"{ms(p(times, 0.5))} / {ms(p(times, 0.95))} ({len(times)})" if times else "not run"
                cells.append(f"**failed**: {failed}" if failed else cell)
            maria = result.timings.get(("mariadb", area, name))
            replica = result.timings.get(("replica", area, name))
            ratio = f"{p(maria, 0.5) / p(replica, 0.5):.0f}×" if maria and replica else "—"
            lines.append(f"| {area} | {name} | {' | '.join(cells)} | {ratio} |")
    if result.page_s:
        lines += [
            "",
            f"* whole Visites page in headless Chromium after choosing a month (uncached): "
            f"p50 {statistics.median(result.page_s):.2f} s ({fmt_list(result.page_s)}); the same months again "
            f"(cached): p50 {statistics.median(result.page_cached_s):.2f} s",
            f"* gunicorn, 2 workers, replica + Redis: each worker's peak resident memory after every area and "
            f"filter set: {fmt_list(result.worker_rss_mb, 0)} MB",
        ]
    return [*lines, ""]


def compared_section(result: SizeResult) -> list[str]:
    """The uncached answers of every ``COMPARED`` route with their comparisons, against issue 13's targets."""
    if not result.compared and not any(key[0] == "compared" for key in result.failures):
        return []
    lines = [
        f"{COMPARED_HEADING} at {result.visits:,} visits".replace(",", " "),
        "",
        "Uncached `GET /api/v1/<route>` from the replica (no cache), p50 (min–max, n). **+2**: a bounded period, "
        "whose answer also carries its KPIs over the previous period and over the same period one year earlier "
        "(issue 13); the whole period has nothing to compare. The team is the supervisor's with the most reps; the "
        "month is the last visit's, the 12 months end on the last visit. Targets (p50): "
        f"≤ {COMPARED_TARGETS['company']:g} ms for the company, ≤ {COMPARED_TARGETS['team']:g} ms for a team "
        "(bold: missed).",
        "",
        f"| route | {' | '.join(COMPARED_SETS)} |",
        "|---|" + "---:|" * len(COMPARED_SETS),
    ]
    for route in COMPARED:
        cells = []
        for name in COMPARED_SETS:
            times = result.compared.get((route, name))
            failed = result.failures.get(("compared", route, name))
            if not times:
                cells.append(f"**failed**: {failed}" if failed else "not run")
                continue
            cell = f"{ms(p(times, 0.5))} ({ms(min(times))}–{ms(max(times))}, {len(times)})"
            cells.append(f"**{cell}**" if p(times, 0.5) * 1000 > COMPARED_TARGETS[_who(name)] else cell)
        lines.append(f"| {route} | {' | '.join(cells)} |")
    lines.append("")
    for who, limit in COMPARED_TARGETS.items():
        worst = _worst_compared(result, who)
        if worst is not None:
            verdict = "met" if worst[0] <= limit else f"**missed** by ×{worst[0] / limit:.1f}"
            lines.append(f"* {who}, p50 ≤ {limit:g} ms: {verdict} (slowest: {worst[1]}, {worst[0]:.1f} ms)")
    return [*lines, ""]


def _who(name: str) -> str:
    """The target a comparisons filter set answers to: ``team`` or ``company``."""
    return "team" if name.startswith("team") else "company"


def _worst_compared(result: SizeResult, who: str) -> tuple[float, str] | None:
    """The slowest p50 (ms) of the comparisons section's answers for ``who`` (inf when one failed), and which."""
    failed = [f"{r}, {n}" for (mode, r, n) in result.failures if mode == "compared" and _who(n) == who]
    if failed:
        return float("inf"), f"{failed[0]} failed"
    found = [(p(t, 0.5) * 1000, f"{r}, {n}") for (r, n), t in result.compared.items() if _who(n) == who and t]
    return max(found) if found else None


def replace_section(text: str, heading: str, section: str) -> str:
    """``text`` with its section that starts with ``heading`` (up to the next ``## ``) replaced by ``section``;
    added before the hand-written notes (or at the end) when there is none."""
    if heading in text:
        start = text.index(heading)
        following = text.find("\n## ", start + len(heading))
        return text[:start] + section.rstrip("\n") + "\n" + (text[following:] if following >= 0 else "")
    if NOTES in text:
        at = text.index(NOTES)
        return text[:at] + section.rstrip("\n") + "\n\n" + text[at:]
    return text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"


def growth(results: list[SizeResult]) -> list[str]:
    """How each figure grows with the number of visits: one column per size, then last / first."""
    if len(results) < 2:
        return []
    sizes = [f"{r.visits // 1000:,}k".replace(",", " ") for r in results]
    lines = [
        "## Growth with the number of visits",
        "",
        f"Replica p50 per area and filter set (uncached), builds, memory and page, from {sizes[0]} to {sizes[-1]} "
        "visits; the last column is the ratio of the largest size's figure to the smallest's.",
        "",
        f"| measure | {' | '.join(sizes)} | ×{results[-1].visits // results[0].visits} visits |",
        "|---|" + "---:|" * (len(results) + 1),
    ]

    def row(label: str, values: list[float | None], fmt: Callable[[float], str]) -> str:
        cells = [fmt(v) if v is not None else "—" for v in values]
        first, last = values[0], values[-1]
        ratio = f"×{last / first:.1f}" if first and last else "—"
        return f"| {label} | {' | '.join(cells)} | {ratio} |"

    for area in AREAS:
        for name in filter_order():
            values = [_p50(r, "replica", area, name) for r in results]
            lines.append(row(f"{area}, {name}", values, ms))
    lines.append(row("cached, slowest p50", [_slowest_cached(r) for r in results], ms))
    lines.append(row("replica full build", [r.build_s for r in results], lambda v: f"{v:.1f} s"))
    lines.append(row("incremental refresh", [r.incremental_s for r in results], lambda v: f"{v:.2f} s"))
    lines.append(row("replica on disk", [r.replica_mb for r in results], lambda v: f"{v:.0f} MB"))
    pages = [statistics.median(r.page_s) if r.page_s else None for r in results]
    lines.append(row("Visites page after a filter change, p50", pages, lambda v: f"{v:.2f} s"))
    rss = [max(r.worker_rss_mb) if r.worker_rss_mb else None for r in results]
    lines.append(row("peak RSS per gunicorn worker", rss, lambda v: f"{v:.0f} MB"))
    return [*lines, ""]


def _p50(result: SizeResult, mode: str, area: str, name: str) -> float | None:
    times = result.timings.get((mode, area, name))
    return p(times, 0.5) if times else None


def _slowest_cached(result: SizeResult) -> float | None:
    found = [p(t, 0.5) for (mode, _, _), t in result.timings.items() if mode == "cached" and t]
    return max(found) if found else None


def filter_order() -> tuple[str, ...]:
    return ("whole period", "a year", "team, 2 months", "one rep")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


#: Issue 11's targets per size: whole period or a year (p50 ms; Évaluations and Investissements apart at 1M),
#: a team or a rep (p50 ms), cached (p50 ms), full build (s), incremental refresh (s), page (p50 s), RSS (MB),
#: speed-up over MariaDB (×, where measured).
TARGETS: dict[int, dict[str, float]] = {
    1_000_000: {"big": 100, "light": 30, "small": 30, "cached": 5, "build": 20, "incremental": 2, "page": 0.5,
                "rss": 300, "speedup": 20},
    10_000_000: {"big": 1000, "light": 1000, "small": 100, "cached": 5, "build": 180, "incremental": 5,
                 "page": 1.5, "rss": 300},
}  # fmt: skip


def checks(result: SizeResult) -> list[tuple[str, float, float, bool]]:
    """(label, measured, limit, lower is better) of every target of ``result``'s size (``TARGETS``)."""
    target = TARGETS[result.visits]

    def worst(mode: str, names: tuple[str, ...], areas: tuple[str, ...] = AREAS) -> tuple[float, str]:
        keys = [(mode, a, n) for a in areas for n in names]
        if any(key in result.failures for key in keys):  # an answer that failed misses its target
            return float("inf"), ", ".join(f"{a}, {n} failed" for m, a, n in keys if (m, a, n) in result.failures)
        return max((p(result.timings[key], 0.5) * 1000, f"{key[1]}, {key[2]}") for key in keys)

    def row(label: str, limit: float, found: tuple[float, str]) -> tuple[str, float, float, bool]:
        return (f"{label} ≤ {limit:g} (slowest: {found[1]})", found[0], limit, True)

    big = ("whole period", "a year")
    heavy = tuple(a for a in AREAS if a not in LIGHT_AREAS)
    light = "Évaluations and Investissements, " if target["light"] != target["big"] else ""
    rows = [
        row(f"replica, whole period or a year, {'other areas, ' if light else ''}p50 ms", target["big"],
            worst("replica", big, heavy if light else AREAS)),
        *([row(f"replica, {light}whole period or a year, p50 ms", target["light"], worst("replica", big, LIGHT_AREAS))]
          if light else []),
        row("replica, a team over 2 months or one rep, p50 ms", target["small"],
            worst("replica", ("team, 2 months", "one rep"))),
        row("cached, p50 ms", target["cached"], worst("cached", filter_order())),
        (f"replica full build, s ≤ {target['build']:g}", result.build_s, target["build"], True),
        (f"incremental refresh (1 000 new visits, 300 changed), s ≤ {target['incremental']:g}", result.incremental_s,
         target["incremental"], True),
    ]  # fmt: skip
    whole = [(mode, a, "whole period") for mode in ("mariadb", "replica") for a in AREAS]
    if "speedup" in target and all(key in result.timings for key in whole):
        lowest = min((_speedup(result, area), area) for area in AREAS)
        label = f"speed-up vs MariaDB, whole period, every area, × ≥ {target['speedup']:g} (lowest: {lowest[1]})"
        rows.append((label, lowest[0], target["speedup"], False))
    if result.compared:
        for who, limit in COMPARED_TARGETS.items():
            slowest = _worst_compared(result, who)
            if slowest is not None:
                rows.append(row(f"answers with their comparisons, {who}, p50 ms", limit, slowest))
    if result.generate_s is not None:
        rows.append(("demo generator into MariaDB, s ≤ 120", result.generate_s, 120.0, True))
    if result.page_s:
        rows.append((f"page after a filter change, p50 s ≤ {target['page']:g}", statistics.median(result.page_s),
                     target["page"], True))  # fmt: skip
        rows.append((f"peak RSS per worker, MB ≤ {target['rss']:g}", max(result.worker_rss_mb), target["rss"], True))
    return rows


def _speedup(result: SizeResult, area: str) -> float:
    """MariaDB straight p50 over replica p50, whole period."""
    return (_p50(result, "mariadb", area, "whole period") or 0) / (_p50(result, "replica", area, "whole period") or 1)
