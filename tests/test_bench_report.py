"""make bench's report: sizes without MariaDB, targets per size, growth from the smallest size to the largest."""

from __future__ import annotations

from dashboard._bench_data import AREAS, SizeResult
from dashboard._bench_report import filter_order, report


def _size(visits: int, replica_ms: float, *, mariadb: bool) -> SizeResult:
    result = SizeResult(visits, build_s=visits / 250_000, incremental_s=1.0, replica_mb=visits / 40_000)
    for area in AREAS:
        for name in filter_order():
            result.timings[("replica", area, name)] = [replica_ms / 1000] * 3
            result.timings[("cached", area, name)] = [0.001] * 3
            if mariadb:
                result.timings[("mariadb", area, name)] = [replica_ms * 50 / 1000] * 3
    return result


def test_a_size_without_mariadb_is_reported_as_not_run_and_checked_against_its_own_targets() -> None:
    text = report([_size(1_000_000, 40, mariadb=True), _size(10_000_000, 400, mariadb=False)], "abc1234", 60)
    assert (
        "| visites | whole period | 2000.0 ms / 2000.0 ms (3) | 40.0 ms / 40.0 ms (3) | 1.0 ms / 1.0 ms (3) | 50× |"
        in text
    )
    assert "| visites | whole period | not run | 400.0 ms / 400.0 ms (3) | 1.0 ms / 1.0 ms (3) | — |" in text
    at_1m = text[text.index("## Targets at 1 000 000 visits") : text.index("## Targets at 10 000 000 visits")]
    at_10m = text[text.index("## Targets at 10 000 000 visits") :]
    # 40 ms: under 100 ms for the heavy areas, over 30 ms for Évaluations and Investissements and for a team
    assert "whole period or a year, other areas, p50 ms ≤ 100" in at_1m and "| 40.0 | met |" in at_1m
    assert "| 40.0 | **missed** by ×1.3 |" in at_1m
    assert "speed-up vs MariaDB" in at_1m and "speed-up" not in at_10m  # not measured at 10M
    # 400 ms: under 1 s whole period, over 100 ms for a team or a rep; a build of 40 s under 3 min
    assert "replica, whole period or a year, p50 ms ≤ 1000" in at_10m
    assert "a team over 2 months or one rep, p50 ms ≤ 100" in at_10m and "| 400.0 | **missed** by ×4.0 |" in at_10m
    assert "| replica full build, s ≤ 180 | 40.0 | met |" in at_10m


def test_growth_gives_every_size_and_the_ratio_of_the_largest_to_the_smallest() -> None:
    text = report([_size(100_000, 20, mariadb=True), _size(10_000_000, 500, mariadb=False)], "abc1234", 60)
    growth = text[text.index("## Growth with the number of visits") :]
    assert "| measure | 100k | 10 000k | ×100 visits |" in growth
    assert "| visites, whole period | 20.0 ms | 500.0 ms | ×25.0 |" in growth
    assert "| replica full build | 0.4 s | 40.0 s | ×100.0 |" in growth
    assert "| Visites page after a filter change, p50 | — | — | — |" in growth  # no browser in this run


def test_an_answer_that_failed_is_reported_and_misses_its_target() -> None:
    size = _size(10_000_000, 400, mariadb=False)
    del size.timings[("replica", "utilisateurs", "whole period")]
    size.failures[("replica", "utilisateurs", "whole period")] = "HTTP 503 Service surchargé"
    text = report([size], "abc1234", 60)
    assert "| utilisateurs | whole period | not run | **failed**: HTTP 503 Service surchargé |" in text
    assert "(slowest: utilisateurs, whole period failed) | — | **missed**: an answer failed |" in text


def test_the_answers_with_their_comparisons_are_checked_against_the_company_and_team_targets() -> None:
    from dashboard._bench_data import COMPARED, COMPARED_SETS
    from dashboard._bench_report import compared_section, replace_section

    size = _size(1_000_000, 40, mariadb=False)
    for route in COMPARED:
        for name in COMPARED_SETS:
            size.compared[(route, name)] = [0.050 if name.startswith("team") else 0.080] * 3
    size.compared[("utilisateurs", "12 last months +2")] = [0.120] * 3
    section = "\n".join(compared_section(size))
    assert section.startswith("## Answers with their comparisons at 1 000 000 visits")
    assert "| visites | 80.0 ms (80.0 ms–80.0 ms, 3) | 80.0 ms (80.0 ms–80.0 ms, 3) |" in section
    assert "**120.0 ms (120.0 ms–120.0 ms, 3)**" in section  # over the company's 100 ms
    assert "* company, p50 ≤ 100 ms: **missed** by ×1.2 (slowest: utilisateurs, 12 last months +2, 120.0 ms)" in section
    assert "* team, p50 ≤ 30 ms: **missed** by ×1.7" in section
    text = report([size], "abc1234", 60)
    assert section in text and "answers with their comparisons, team, p50 ms ≤ 30" in text
    # --comparisons-only replaces the section in place, the rest of the report kept
    old = "# Benchmarks\n\n" + section.replace("120.0", "99.0") + "\n## Reading the figures\nnotes\n"
    assert replace_section(old, "## Answers with their comparisons at 1 000 000 visits", section) == (
        "# Benchmarks\n\n" + section.rstrip("\n") + "\n\n## Reading the figures\nnotes\n"
    )
    assert replace_section("# B\n\n## Reading the figures\nn\n", "## Answers", "## Answers\nx\n") == (
        "# B\n\n## Answers\nx\n\n## Reading the figures\nn\n"
    )
