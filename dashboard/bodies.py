"""Fingerprints of every area's answer at scale (``python -m dashboard.bodies``): a differential check for rewrites.

For each area and each of the benchmark's filter sets, the v1 body (``GET /api/v1/<area>``) and the legacy body
(``POST`` on the legacy route) from the replica of the benchmark's MariaDB database, uncached: a SHA-1 of the
exact bytes, written as JSON. Run it on two commits over the same replica file and ``--compare`` the two files:
a rewrite of the data layer must leave every body byte-identical.

    python -m dashboard.bodies --replica /tmp/r1m/replica.duckdb --output before.json   # on the old commit
    python -m dashboard.bodies --replica /tmp/r1m/replica.duckdb --output after.json    # on the new one
    python -m dashboard.bodies --compare before.json after.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.parse
from pathlib import Path

from dashboard import bench


def fingerprints(visits: int, replica_path: Path) -> dict[str, str]:
    """``{"<area> | <route> | <filter set>": sha1}`` of every answer (the replica is built if missing)."""
    from dashboard.api import AREAS
    from data.source import replica

    url, _, _ = bench.database(visits)
    if replica.current(replica_path) is None:
        bench.refresh_job(url, replica_path, full=True)
    client = bench.make_app(url, "replica", replica_path, replica_path.parent / "bodies-app.sqlite")
    out = {}
    for area, (_module, legacy) in AREAS.items():
        for name, filters in bench.filter_sets(url).items():
            answer = client.get(f"/api/v1/{area}?{urllib.parse.urlencode(filters)}")
            out[f"{area} | v1 | {name}"] = f"{answer.status_code} {hashlib.sha1(answer.data).hexdigest()}"
            answer = client.post(legacy, json=filters)
            out[f"{area} | legacy | {name}"] = f"{answer.status_code} {hashlib.sha1(answer.data).hexdigest()}"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--replica", type=Path, default=bench.ROOT / "instance" / "bodies" / "replica.duckdb")
    parser.add_argument("--output", type=Path, default=Path("bodies.json"))
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(path.read_text()) for path in args.compare)
        differ = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
        print(f"{len(before) - len(differ)} of {len(before)} answers identical")
        for key in differ:
            print(f"  differs: {key}")
        return 1 if differ else 0
    args.replica.parent.mkdir(parents=True, exist_ok=True)
    found = fingerprints(args.visits, args.replica)
    args.output.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(found)} answers fingerprinted in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
