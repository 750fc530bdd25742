"""Uncached v1 answers at 1M visits on the replica: unbounded (no comparisons) against bounded periods (the
answer plus its two comparisons), with the benchmark's database and app (issue 13; make bench covers the rest).

Run: .venv/bin/python docs/bench_comparisons.py (generates mediviz_bench_1000k in MariaDB once, about 40 s)."""

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import sqlalchemy as sa

from dashboard import _bench_data, _bench_serve


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(part) for part in parts) + "\n")
    sys.stdout.flush()


url, seconds, note = _bench_data.database(1_000_000)
say("database", url, "generated in", seconds, note)
tmp = Path(tempfile.mkdtemp())
client = _bench_serve.make_app(url, "replica", tmp / "replica.duckdb", tmp / "app.sqlite")
engine = sa.create_engine(url)
with engine.connect() as conn:
    boss = conn.exec_driver_sql(
        "SELECT id_responsable FROM tab_utilisateur WHERE id_responsable IS NOT NULL GROUP BY id_responsable "
        "ORDER BY count(*) LIMIT 1"
    ).scalar()
    last = conn.exec_driver_sql("SELECT max(date_visite) FROM tab_visite").scalar()
say("team of", boss, "last visit", last)
sets = {
    "whole period (no comparison)": {},
    "a month (+2 comparisons)": {"annee": last.year, "mois": last.month},
    "12 last months (+2)": {"start_date": f"{last.year - 1}-{last.month:02d}-01", "end_date": f"{last:%Y-%m-%d}"},
    "team, whole period": {"id_responsable": boss},
    "team, a month (+2)": {"id_responsable": boss, "annee": last.year, "mois": last.month},
}
for area in ("visites", "performance", "partenaires", "utilisateurs", "evaluations", "investissements"):
    for name, filters in sets.items():
        times = _bench_serve.time_api(client, area, filters, repeats=7)[1:]
        p50, top = 1000 * statistics.median(times), 1000 * max(times)
        say(f"{area:16} {name:30} p50 {p50:7.1f} ms  max {top:7.1f} ms")
