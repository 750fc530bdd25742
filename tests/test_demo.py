"""The synthetic CRM generator: determinism, exact sizes, referential integrity and realistic shares."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from data import demo
from data.app import schema as app_schema
from data.demo import load
from data.source import schema

END = dt.date(2026, 11, 20)
FIRST_DAY = dt.date(2025, 5, 21)  # 18 months ending on END
VISITS = 2_000
ALLOWED_MANAGER: dict[str, set[str | None]] = {
    "DEL": {"KAM", "DSM"},
    "KAM": {"DSM"},
    "DSM": {"DRG"},
    "DRG": {"DIR"},
    "DIR": {None},
    "PM": {None},
    "ACH": {None},
    "ADMI": {None},
}


def _memory_engine() -> sa.Engine:
    """A private in-memory SQLite database."""
    return sa.create_engine("sqlite://", poolclass=sa.StaticPool)


@pytest.fixture(scope="module")
def engine() -> Iterator[sa.Engine]:
    """The demo CRM generated once with the default seed."""
    eng = _memory_engine()
    demo.generate(eng, visits=VISITS, end=END)
    yield eng
    eng.dispose()


def _rows(engine: sa.Engine, table: sa.Table) -> list[Any]:
    """Every row of a table as the driver returns it, in primary key order."""
    stmt = sa.select(sa.text("*")).select_from(table).order_by(*table.primary_key.columns)
    with engine.connect() as conn:
        return list(conn.execute(stmt).all())


def _scalar(engine: sa.Engine, stmt: sa.Select[Any]) -> Any:
    """The single value of a statement."""
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def _share(engine: sa.Engine, column: sa.Column[Any], value: str) -> float:
    """Percentage of the rows of the column's table where it equals value."""
    hits = sa.func.sum(sa.case((column == value, 1), else_=0))
    return 100.0 * _scalar(engine, sa.select(hits * 1.0 / sa.func.count()))


def test_same_seed_end_and_size_give_identical_tables(engine: sa.Engine) -> None:
    again = _memory_engine()
    demo.generate(again, visits=VISITS, end=END)
    for table in schema.crm_metadata.sorted_tables:
        assert _rows(again, table) == _rows(engine, table), table.name


def test_another_seed_gives_other_visits(engine: sa.Engine) -> None:
    other = _memory_engine()
    counts = demo.generate(other, visits=VISITS, end=END, seed=7)
    assert counts["tab_visite"] == VISITS
    assert _rows(other, schema.visite) != _rows(engine, schema.visite)


def test_exact_visit_count_and_returned_counts() -> None:
    eng = _memory_engine()
    counts = demo.generate(eng, visits=1_234, end=END, months=3)
    assert counts["tab_visite"] == 1_234
    for table in schema.crm_metadata.sorted_tables:
        assert counts[table.name] == _scalar(eng, sa.select(sa.func.count()).select_from(table)) > 0


def test_dash_tables_are_left_alone() -> None:
    eng = _memory_engine()
    app_schema.app_metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(app_schema.dash_user.insert().values(username="demo", password_hash="x"))
    demo.generate(eng, visits=500, end=END)
    assert _scalar(eng, sa.select(app_schema.dash_user.c.username)) == "demo"


def test_contacts_reference_existing_visits_and_partners(engine: sa.Engine) -> None:
    pv, v, p = schema.partenaire_visite, schema.visite, schema.partenaire
    orphans = sa.select(sa.func.count()).select_from(
        pv.outerjoin(v, pv.c.id_visite == v.c.id_visite).outerjoin(p, pv.c.id_partenaire == p.c.id_partenaire)
    )
    assert _scalar(engine, orphans.where(sa.or_(v.c.id_visite.is_(None), p.c.id_partenaire.is_(None)))) == 0
    lonely = sa.select(sa.func.count()).where(~sa.exists().where(pv.c.id_visite == v.c.id_visite))
    assert _scalar(engine, lonely) == 0


def test_group_visits_have_two_to_five_partners_and_simple_ones_one(engine: sa.Engine) -> None:
    pv, v = schema.partenaire_visite, schema.visite
    stmt = (
        sa.select(v.c.type_visite, sa.func.count(), sa.func.max(pv.c.order_partenaire))
        .join(pv, pv.c.id_visite == v.c.id_visite)
        .group_by(v.c.id_visite, v.c.type_visite)
    )
    with engine.connect() as conn:
        sizes = conn.execute(stmt).all()
    assert {n for kind, n, _ in sizes if kind == "S"} == {1}
    assert {n for kind, n, _ in sizes if kind == "G"} <= {2, 3, 4, 5}
    assert all(n == last for _, n, last in sizes)  # order_partenaire runs 1..n
    pairs = sa.select(sa.func.count(sa.distinct(pv.c.id_visite * 1_000_000 + pv.c.id_partenaire)))
    assert _scalar(engine, pairs) == _scalar(engine, sa.select(sa.func.count()).select_from(pv))


def test_shares_are_realistic(engine: sa.Engine) -> None:
    v, pv = schema.visite, schema.partenaire_visite
    assert 70 <= _share(engine, v.c.code_type_visite, "HOPL") <= 88
    assert 0.5 <= _share(engine, v.c.code_statut_visite, "SUPP") <= 5
    assert 85 <= _share(engine, v.c.code_statut_visite, "REAL") <= 97
    assert 0.5 <= _share(engine, v.c.flag_accompagnee, "O") <= 5
    assert 2 <= _share(engine, v.c.type_visite, "G") <= 10
    assert 5 <= _share(engine, pv.c.code_type_partenaire, "PHAR") <= 25
    assert 70 <= _share(engine, schema.partenaire.c.code_type_partenaire, "MEDE") <= 90
    planned = sa.select(sa.func.avg(sa.case((pv.c.code_type_partenaire == "PHAR", 100.0), else_=0.0))).join(
        v, v.c.id_visite == pv.c.id_visite
    )
    assert _scalar(engine, planned.where(v.c.code_type_visite == "PLAN")) < 5


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="months"):
        demo.generate(_memory_engine(), visits=10, end=END, months=0)


def test_visits_fall_in_the_window_on_working_hours(engine: sa.Engine) -> None:
    v = schema.visite
    with engine.connect() as conn:
        rows = conn.execute(sa.select(v.c.date_visite, v.c.heure_fin_visite, v.c.code_statut_visite)).all()
    assert min(start.date() for start, _, _ in rows) >= FIRST_DAY
    assert max(start.date() for start, _, status in rows if status != "ENAT") <= END  # the plan ahead aside
    assert max(start.date() for start, _, _ in rows) <= END + dt.timedelta(days=14)
    assert all(dt.time(8) <= start.time() <= dt.time(18, 59) for start, _, _ in rows)
    lengths = {(dt.datetime.combine(start.date(), end) - start).seconds // 60 for start, end, _ in rows}
    assert min(lengths) >= 15 and max(lengths) <= 45
    sundays = sum(start.weekday() == 6 for start, _, _ in rows)
    saturdays = sum(start.weekday() == 5 for start, _, _ in rows)
    assert sundays == 0 and saturdays < 0.05 * len(rows)


def test_hierarchy_is_acyclic_and_follows_the_roles(engine: sa.Engine) -> None:
    u = schema.utilisateur
    users: dict[int, tuple[str, int | None]] = {}
    with engine.connect() as conn:
        for i, role, boss in conn.execute(sa.select(u.c.id_utilisateur, u.c.role, u.c.id_responsable)):
            users[i] = (role, boss)
    for role, boss in users.values():
        assert (users[boss][0] if boss else None) in ALLOWED_MANAGER[role]
    for start in users:
        seen: set[int] = set()
        current: int | None = start
        while current is not None:
            assert current not in seen
            seen.add(current)
            current = users[current][1]
    assert (
        sorted(role for role, _ in users.values() if role in {"DIR", "DRG", "DSM"})
        == ["DIR"] + ["DRG"] * 3 + ["DSM"] * 8
    )


def test_visits_are_made_by_reps_and_carry_a_manager(engine: sa.Engine) -> None:
    v, u, boss = schema.visite, schema.utilisateur, schema.utilisateur.alias("boss")
    stmt = (
        sa.select(
            v.c.role_utilisateur, u.c.role, boss.c.role, v.c.flag_accompagnee, v.c.id_accompagnant, v.c.id_responsable
        )
        .join(u, u.c.id_utilisateur == v.c.id_utilisateur)
        .join(boss, boss.c.id_utilisateur == v.c.id_responsable)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    assert len(rows) == VISITS
    assert all(snapshot == role and role in {"DEL", "KAM", "DSM"} for snapshot, role, *_ in rows)
    assert {r[2] for r in rows} <= {"KAM", "DSM", "DRG"}
    assert all((flag == "O") == (companion == resp) for *_, flag, companion, resp in rows)


def _missing_codes(engine: sa.Engine, column: sa.Column[Any], types: tuple[str, ...]) -> int:
    """Non-null values of a code column with no codification row of one of the given types."""
    c = schema.codification
    known = sa.select(c.c.code_codification).where(c.c.type_codification.in_(types))
    return _scalar(engine, sa.select(sa.func.count()).where(column.is_not(None), column.not_in(known)))


@pytest.mark.parametrize(
    ("column", "types"),
    [
        (schema.partenaire_visite.c.code_region_partenaire, ("REGI",)),
        (schema.partenaire_visite.c.code_ville_partenaire, ("VILL",)),
        (schema.partenaire_visite.c.code_gamme_partenaire, ("GAMM",)),
        (schema.partenaire_visite.c.code_specialite_partenaire, ("SPEC",)),
        (schema.partenaire.c.code_region_partenaire, ("REGI",)),
        (schema.partenaire.c.code_ville_partenaire, ("VILL",)),
        (schema.partenaire.c.code_gamme, ("GAMM",)),
        (schema.partenaire.c.code_specialite, ("SPEC",)),
        (schema.partenaire.c.code_type_etablissement, ("ETPR", "ETPU")),
        (schema.evaluation_detailed.c.code_categorie, ("CAEV",)),
        (schema.evaluation_detailed.c.code_sous_categorie, ("SCEV",)),
        (schema.partenaire_bc.c.code_type_investissement, ("TYIN",)),
        (schema.partenaire_bc.c.code_categorie_investissement, ("CAIN",)),
    ],
)
def test_every_code_is_codified_with_its_type(
    engine: sa.Engine, column: sa.Column[Any], types: tuple[str, ...]
) -> None:
    assert _missing_codes(engine, column, types) == 0


def test_the_codes_named_by_the_spec(engine: sa.Engine) -> None:
    c = schema.codification
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(c.c.code_codification, c.c.type_codification, c.c.libelle_codification, c.c.code_parent)
        )
        codif = {code: (kind, label, parent) for code, kind, label, parent in rows}
    assert codif["RE00001"] == ("REGI", "Agadir", None)
    assert codif["RE00002"][1] == "Casablanca" and codif["RE00008"][1] == "Meknès"
    assert codif["VI00001"] == ("VILL", "Agadir", "RE00001")
    assert codif["VI00019"] == ("VILL", "Azemmour", "RE00002")
    assert codif["GA00001"][1] == "DERMATO" and codif["GA00005"][1] == "PEDIATRIE"
    assert codif["SP00001"] == ("SPEC", "Chirurgie Plastique", "GA00001")
    assert codif["SP00002"] == ("SPEC", "Dermatologie", "GA00001")
    assert codif["SP00006"][:2] == ("SPEC", "Médecine Générale")
    assert codif["EPR00001"][:2] == ("ETPR", "Cabinet") and codif["EP00001"][0] == "ETPU"
    assert codif["CE00005"] == ("CAEV", "Preparation de la visite ", None)
    assert codif["SEV00016"] == ("SCEV", "Plannification semaine de travail sur CRM ", "CE00005")
    assert sum(kind == "SCEV" for kind, _, _ in codif.values()) == 16
    assert {code for code, (kind, _, _) in codif.items() if kind in {"TYIN", "CAIN"}} == {
        *(f"TI0000{i}" for i in range(1, 6)),
        *(f"CI0000{i}" for i in range(1, 4)),
    }


def test_cities_belong_to_the_partner_region_and_gammes_to_the_specialty(engine: sa.Engine) -> None:
    c, p, pv = schema.codification, schema.partenaire, schema.partenaire_visite
    for table, city, region in (
        (p, p.c.code_ville_partenaire, p.c.code_region_partenaire),
        (pv, pv.c.code_ville_partenaire, pv.c.code_region_partenaire),
    ):
        wrong = (
            sa.select(sa.func.count())
            .select_from(table)
            .join(c, c.c.code_codification == city)
            .where(c.c.code_parent != region)
        )
        assert _scalar(engine, wrong) == 0
    wrong_gamme = (
        sa.select(sa.func.count())
        .select_from(p)
        .join(c, c.c.code_codification == p.c.code_specialite)
        .where(c.c.code_parent != p.c.code_gamme)
    )
    assert _scalar(engine, wrong_gamme) == 0
    pharmacies = sa.select(
        p.c.prenom_partenaire, p.c.code_specialite, p.c.code_gamme, p.c.code_type_etablissement, p.c.nom_partenaire
    ).where(p.c.code_type_partenaire == "PHAR")
    with engine.connect() as conn:
        rows = conn.execute(pharmacies).all()
    assert rows and all(r[:4] == (None, None, None, None) and r[4].startswith("PHARMACIE ") for r in rows)


def test_evaluations_score_items_of_their_category(engine: sa.Engine) -> None:
    e, d, c = schema.evaluation, schema.evaluation_detailed, schema.codification
    with engine.connect() as conn:
        totals = conn.execute(sa.select(e.c.points_obtenu, e.c.points_total, e.c.date_integration)).all()
        items = conn.execute(
            sa.select(d.c.id_evaluation, d.c.code_categorie, c.c.code_parent, sa.cast(d.c.point_obtenu, sa.Float)).join(
                c, c.c.code_codification == d.c.code_sous_categorie
            )
        ).all()
    assert totals and all(35 <= got <= 95 and out_of == 100 for got, out_of, _ in totals)
    assert all(FIRST_DAY <= when.date() <= END for _, _, when in totals)
    assert all(category == parent and 0 <= score <= 5 for _, category, parent, score in items)
    per_eval: dict[int, int] = {}
    for evaluation, *_ in items:
        per_eval[evaluation] = per_eval.get(evaluation, 0) + 1
    assert len(per_eval) == len(totals) and min(per_eval.values()) >= 10 and max(per_eval.values()) == 16


def test_business_cases(engine: sa.Engine) -> None:
    b, u = schema.partenaire_bc, schema.utilisateur
    stmt = sa.select(
        b.c.budget, b.c.code_statut_bc, b.c.date_creation, b.c.date_realisation, b.c.id_responsable, u.c.id_responsable
    ).join(u, u.c.id_utilisateur == b.c.id_utilisateur)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    assert len(rows) >= 20
    assert all(budget % 1000 == 0 and 2_000 <= budget <= 50_000 for budget, *_ in rows)
    assert all((status == "REAL") == (done is not None) for _, status, _, done, _, _ in rows)
    assert all(done is None or done > created for _, _, created, done, _, _ in rows)
    assert all(resp == manager for *_, resp, manager in rows)
    assert {status for _, status, *_ in rows} <= {"ENAT", "VALI", "REAL", "REJE", "REFU", "ANNU"}


def test_mariadb_bulk_load_gives_the_same_rows_as_sqlite(engine: sa.Engine, mariadb_url: str) -> None:
    """On MariaDB the generator loads with LOAD DATA LOCAL INFILE (not row inserts): same rows, same types."""
    maria = sa.create_engine(mariadb_url)
    try:
        with maria.connect() as conn:
            assert load._infile_allowed(conn)  # the fast path is the one under test
        counts = demo.generate(maria, visits=VISITS, end=END)
        assert counts["tab_visite"] == VISITS
        for table in schema.crm_metadata.sorted_tables:
            typed = sa.select(*table.c).order_by(*table.primary_key.columns)  # typed: SQLite stores text dates
            with maria.connect() as mconn, engine.connect() as sconn:
                assert list(mconn.execute(typed)) == list(sconn.execute(typed)), table.name
    finally:
        from tests import fixture_data

        fixture_data.load(maria)  # the session's other MariaDB tests expect the fixture CRM back
        maria.dispose()


def test_the_first_start_of_the_demo_serves_its_numbers_to_the_demo_account(tmp_path: Path) -> None:
    """No database configured, an empty instance folder: the demo CRM, its replica, the accounts tables and the
    demo account are made at start, and the printed credentials open the API (the order once broke this)."""
    import json

    from dashboard import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "DEMO_VISITS": 2_000, "REFRESH_SECONDS": 0})
    creds = json.loads((tmp_path / "demo-account.json").read_text())
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    form = {"username": creds["username"], "password": creds["password"], "csrf_token": token.group(1)}
    assert client.post("/login", data=form).status_code == 302
    answer = client.get("/api/v1/visites").get_json()
    with sa.create_engine(f"sqlite:///{tmp_path / 'mediviz-demo.sqlite'}").connect() as conn:
        visits = conn.exec_driver_sql("SELECT count(*) FROM tab_visite WHERE code_statut_visite <> 'SUPP'").scalar_one()
    assert answer["indicateurs"]["visites"] == visits > 0
