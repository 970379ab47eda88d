"""The national synthetic database: real registry, complete tables, the demo mark."""

import numpy as np
import polars as pl

from chiso.config import load_catalog
from chiso.demo.national import national_scores, national_units
from chiso.store import queries
from tests.conftest import CONFIG


def test_units_come_from_the_registry():
    units = national_units()
    counts = dict(units.group_by("peer_group").len().rows())
    assert counts["localities"] == 696
    assert counts["communes"] == 3321
    assert counts["departments"] == 20 * counts["provinces"]
    assert units.filter(pl.col("peer_group") == "communes").get_column("last_year").max() == 2026


def test_national_build_is_complete_ranked_and_marked_demo(national_db):
    db, counts = national_db  # built once for the session (the glance tests serve it too)
    assert counts.score_rows > 500_000 and counts.count_rows > 900_000
    with queries.connect(db) as con:
        assert queries.meta(con)["dataset"] == "demo"
        tables = queries.tables(con)
        assert tables.get_column("complete").all()
        ranking = queries.ranking(
            con, index="PAR", year=2026, peer_group="communes", scope_province="Quảng Ninh"
        )
    assert ranking.height == 54  # Quảng Ninh's 54 communes, wards and special zones
    assert ranking.get_column("rank").to_list()[0] == 1 and ranking.get_column(
        "rank_of"
    ).unique().to_list() == [54]


def test_the_same_seed_invents_the_same_scores():
    units = national_units()
    some = units.filter(
        pl.col("province").is_in(units.get_column("province").unique().sort().head(2).to_list())
    )
    catalog = load_catalog(CONFIG)

    def invented(seed: int) -> pl.DataFrame:  # rows in any order: the build sorts them
        scores = national_scores(catalog, some, np.random.default_rng(seed))
        return scores.sort(scores.columns)

    first = invented(5)
    assert first.height > 1000
    assert first.equals(invented(5))
    assert not first.equals(invented(6))
