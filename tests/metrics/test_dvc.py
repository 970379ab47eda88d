"""Online public services (issue 7): rates computed from the published one-stop counts, the
published rates kept apart, consistency warnings in words, the CLI and the page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from chiso.cli.main import main
from chiso.config import Rate, load_catalog
from chiso.errors import ChisoError
from chiso.metrics import services as dvc
from chiso.store import counts, queries
from chiso.views import services as views_dvc
from tests.conftest import CONFIG

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "services.py")
RATES = load_catalog(CONFIG).index("DVC").rates
XUAN_TRUONG = ("nam-dinh/huyen-xuan-truong", date(2024, 1, 1), date(2024, 5, 31))
DONG_HOI = ("quang-binh/thanh-pho-dong-hoi", date(2023, 1, 1), date(2023, 12, 31))


def unit_counts(db: Path, unit: tuple[str, date, date]) -> pl.DataFrame:
    with queries.connect(db) as con:
        return counts.unit_counts(con, unit_id=unit[0], start=unit[1], end=unit[2])


def published(db: Path, unit: tuple[str, date, date], province: str) -> pl.DataFrame:
    with queries.connect(db) as con:
        return counts.published_rates(con, province=province, start=unit[1], end=unit[2], unit_id=unit[0])


# ---------- the published counts ----------


@pytest.mark.parametrize(
    ("unit", "level", "rate", "numerator", "denominator", "rate_pct", "text"),
    [
        (XUAN_TRUONG, "unit", "ty_le_so_hoa", 1524, 1547, 98.51, "1.524/1.547 = 98,51 %"),
        (XUAN_TRUONG, "unit", "ty_le_dung_han", 1547, 1547, 100.0, "(1.068 + 479)/1.547 = 100,00 %"),
        # the article rounds the communes' digitised share down to 99,7 %
        (XUAN_TRUONG, "communes", "ty_le_so_hoa", 8184, 8202, 99.78, "8.184/8.202 = 99,78 %"),
        (XUAN_TRUONG, "communes", "ty_le_dung_han", 8200, 8202, 99.98, "(7.056 + 1.144)/8.202 = 99,98 %"),
        (DONG_HOI, "unit", "ty_le_dung_han", 12210, 14404, 84.77, "12.210/14.404 = 84,77 %"),
        (DONG_HOI, "unit", "ty_le_tiep_nhan_truc_tuyen", 7870, 14859, 52.96, "7.870/14.859 = 52,96 %"),
    ],
)
def test_rates_from_published_counts(published_db, unit, level, rate, numerator, denominator, rate_pct, text):
    rated = dvc.compute_rates(unit_counts(published_db, unit), RATES)
    row = rated.filter(level=level, rate=rate).row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    machine = dvc.machine_rows(rated).filter(level=level, indicator=rate).row(0, named=True)
    assert machine["rate_pct"] == rate_pct
    assert (
        dvc.ratio_text(row["numerator"], row["denominator"], row["rate_pct"], row["numerator_terms"]) == text
    )


def test_rates_without_a_denominator_are_not_invented(published_db):
    rated = dvc.compute_rates(unit_counts(published_db, DONG_HOI), RATES)
    # Đồng Hới's article gives no digitised, procedure or payment counts: no such rate, not 0 %.
    assert set(dvc.machine_rows(rated)["indicator"]) == {"ty_le_dung_han", "ty_le_tiep_nhan_truc_tuyen"}


def test_published_rate_is_shown_beside_the_computed_one_and_labelled(published_db):
    found = unit_counts(published_db, DONG_HOI)
    rated = dvc.compute_rates(found, RATES)
    assert 91.78 not in [round(v, 2) for v in rated["rate_pct"].to_list()]  # never treated as a count
    table = views_dvc.unit_rates_table(rated, published(published_db, DONG_HOI, "Quảng Bình"), RATES, "vi")
    rows = {(r["Chỉ tiêu"], r["Tỷ lệ (%)"]): r for r in table.iter_rows(named=True)}
    online = rows[("Tỷ lệ hồ sơ tiếp nhận trực tuyến", "52,96")]
    assert online["Loại"] == "Tính từ số đếm" and online["Tử số/mẫu số = tỷ lệ"] == "7.870/14.859 = 52,96 %"
    reported = rows[("Tỷ lệ hồ sơ tiếp nhận, giải quyết qua DVC trực tuyến (theo nguồn)", "91,78")]
    assert reported["Loại"] == "Nguồn công bố (không phải số đếm)"
    assert "91,78%" in reported["Nguồn"]  # the quote travels with the value


def test_xuan_truong_received_channels_do_not_add_up(published_db):
    found = dvc.checks(unit_counts(published_db, XUAN_TRUONG))
    assert found.select("level", "check").rows() == [("unit", "received_channels")]
    (text,) = views_dvc.warning_texts(found, {XUAN_TRUONG[0]: "Huyện Xuân Trường"}, "vi")
    assert "37 + 1.389 = 1.426" in text and "1.674" in text and "chênh 248" in text
    assert "bưu chính" in text  # the channel the source does not give is named …
    assert "không nói chênh lệch do đâu" in text  # … and the gap is not explained by it
    assert "+ bưu chính ≠" not in text


def test_consistent_counts_give_no_warning(published_db):
    assert dvc.checks(unit_counts(published_db, DONG_HOI)).is_empty()


# ---------- rules on small frames ----------


def report(unit: str, month: int | None, **values: float) -> list[dict]:
    """Count rows of one report: a month of 2024, or the first quarter when month is None."""
    start, end = (
        (date(2024, 1, 1), date(2024, 3, 31))
        if month is None
        else (date(2024, month, 1), date(2024, month, 28))
    )
    base = {"unit_id": unit, "name": unit, "level": "unit", "period_start": start, "period_end": end}
    return [{**base, "indicator": k, "value": float(v)} for k, v in values.items()]


ON_TIME = Rate(
    code="ty_le_dung_han",
    name={"vi": "đúng hạn"},
    numerator=["dossiers_resolved_early", "dossiers_resolved_on_time", "dossiers_resolved_early_or_on_time"],
    denominator=["dossiers_resolved"],
)


@pytest.mark.parametrize(
    ("months", "numerator", "denominator"),
    [
        # split only: early + on time
        (
            [{"dossiers_resolved_early": 60, "dossiers_resolved_on_time": 30, "dossiers_resolved": 100}],
            90,
            100,
        ),
        # combined only
        ([{"dossiers_resolved_early_or_on_time": 80, "dossiers_resolved": 100}], 80, 100),
        # both in one report: the combined count, never 60 + 30 + 90
        (
            [
                {
                    "dossiers_resolved_early": 60,
                    "dossiers_resolved_on_time": 30,
                    "dossiers_resolved_early_or_on_time": 90,
                    "dossiers_resolved": 100,
                }
            ],
            90,
            100,
        ),
        # one month split, one month combined: decided per report, then summed
        (
            [
                {"dossiers_resolved_early": 10, "dossiers_resolved_on_time": 10, "dossiers_resolved": 40},
                {"dossiers_resolved_early_or_on_time": 50, "dossiers_resolved": 60},
            ],
            70,
            100,
        ),
        # a month without a denominator does not count (pairs only)
        (
            [
                {"dossiers_resolved_early_or_on_time": 9, "dossiers_resolved": 10},
                {"dossiers_resolved_early": 5},
            ],
            9,
            10,
        ),
    ],
)
def test_early_or_on_time_is_never_double_counted(months, numerator, denominator):
    frame = pl.DataFrame([row for i, values in enumerate(months) for row in report("a", i + 1, **values)])
    row = dvc.compute_rates(frame, [ON_TIME]).row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)


def test_the_funnel_takes_a_reports_combined_count_instead_of_its_parts():
    both = report(
        "a",
        1,
        dossiers_received=120,
        dossiers_resolved=100,
        dossiers_resolved_early=60,
        dossiers_resolved_on_time=30,
        dossiers_resolved_early_or_on_time=90,
    )
    split = report("a", 2, dossiers_resolved=40, dossiers_resolved_early=10, dossiers_resolved_on_time=10)
    stages = dict(dvc.funnel(pl.DataFrame(both + split)).select("stage", "value").rows())
    assert stages == {"received": 120, "resolved": 140, "early_or_on_time": 90 + 10 + 10}
    alone = dict(dvc.funnel(pl.DataFrame(split)).select("stage", "value").rows())
    assert alone == {"resolved": 40, "early_or_on_time": 20}  # no combined count anywhere: the parts


def test_a_range_sums_counts_then_divides_and_drops_contained_reports():
    months = report("a", 1, dossiers_digitised=1, dossiers_resolved=10) + report(
        "a", 2, dossiers_digitised=90, dossiers_resolved=90
    )
    quarter = report("a", None, dossiers_digitised=200, dossiers_resolved=400)  # the months lie inside it
    rated = dvc.compute_rates(pl.DataFrame(months), RATES[:1])
    assert rated["rate_pct"].item() == pytest.approx(91 / 100 * 100)  # not the mean of 10 % and 100 %
    with_quarter = dvc.compute_rates(pl.DataFrame(months + quarter), RATES[:1])
    assert (with_quarter["numerator"].item(), with_quarter["denominator"].item()) == (200, 400)


def test_a_check_reads_only_what_each_report_gives():
    """An indicator that another report of the range gives is not 0 in this one: January gives
    the combined count and its split, February the split only (no combined_split check on it),
    and February's missing postal count is None, not 0."""
    rows = report(
        "a",
        1,
        dossiers_resolved_early=5,
        dossiers_resolved_on_time=4,
        dossiers_resolved_early_or_on_time=9,
        dossiers_received=10,
        dossiers_received_direct=6,
        dossiers_received_online=3,
        dossiers_received_postal=1,
    ) + report(
        "a",
        2,
        dossiers_resolved_early=5,
        dossiers_resolved_on_time=4,
        dossiers_received=10,
        dossiers_received_direct=6,
        dossiers_received_online=3,
    )
    found = dvc.checks(pl.DataFrame(rows))
    assert found.select("check", "n_reports", "part_values").rows() == [
        ("received_channels", 1, [6.0, 3.0, None])
    ]


def test_rates_and_checks_at_once_equal_each_alone(published_db, demo_db):
    """The ranking's one pass (reports selected once) gives what compute_rates and checks give,
    for every report period of the shipped data and of the demo province (and each whole year
    of them, months and quarters together), a range with contained reports, and no rows."""
    frames = []
    for db in (published_db, demo_db):
        with queries.connect(db) as con:
            reports = counts.periods(con).unique(["province", "period_start", "period_end"])
            years = reports.group_by("province", pl.col("period_start").dt.year()).agg(
                pl.col("period_start").min().alias("start"), pl.col("period_end").max().alias("end")
            )
            spans = reports.select("province", start="period_start", end="period_end")
            for r in pl.concat([spans, years.select("province", "start", "end")]).iter_rows(named=True):
                frames.append(
                    counts.group_counts(con, province=r["province"], start=r["start"], end=r["end"])
                )
    months = report("a", 1, dossiers_digitised=1, dossiers_resolved=10) + report(
        "a", 2, dossiers_received=10, dossiers_received_direct=6, dossiers_received_online=3
    )
    frames += [pl.DataFrame(months + report("a", None, dossiers_digitised=200, dossiers_resolved=400))]
    frames += [frames[0].clear()]
    assert sum(f.height for f in frames) > 1000 and any(not dvc.checks(f).is_empty() for f in frames)
    for frame in frames:
        rated, found = dvc.rates_and_checks(frame, RATES)
        assert rated.equals(dvc.compute_rates(frame, RATES))
        assert found.equals(dvc.checks(frame))
        # a trend's rates leave the numerator's parts out and are otherwise the same
        without = dvc.compute_rates(frame, RATES, terms=False)
        assert without.equals(rated.drop("numerator_terms", "numerator_indicators"))


def test_ranking_highest_first_ties_share_the_better_rank():
    rows = []
    for unit, num in (("b", 50), ("a", 50), ("c", 40), ("d", 90)):
        rows += report(unit, 1, dossiers_digitised=num, dossiers_resolved=100)
    rows += report("e", 1, dossiers_received=10)  # data in the period, but not for this rate
    frame = pl.DataFrame(rows)
    units = frame.select("unit_id", "name").unique()
    ranked = dvc.ranking(dvc.compute_rates(frame, RATES), "ty_le_so_hoa", "unit", units)
    assert ranked.select("unit_id", "rank", "rank_of").rows() == [
        ("d", 1, 4),
        ("a", 2, 4),
        ("b", 2, 4),
        ("c", 4, 4),
        ("e", None, None),
    ]


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2024-01-01:2024-05-31", date(2024, 1, 1), date(2024, 5, 31), "Tháng 1–5/2024"),
        ("2024-03-01:2024-05-31", date(2024, 3, 1), date(2024, 5, 31), "Tháng 3–5/2024"),
        ("2023", date(2023, 1, 1), date(2023, 12, 31), "Năm 2023"),
        ("2024-Q2", date(2024, 4, 1), date(2024, 6, 30), "Quý 2/2024"),
        ("2022-H1", date(2022, 1, 1), date(2022, 6, 30), "6 tháng đầu năm 2022"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "Tháng 2/2024"),
        ("2018-01-01:2018-08-09", date(2018, 1, 1), date(2018, 8, 9), "Từ 01/01/2018 đến 09/08/2018"),
    ],
)
def test_periods_parse_and_read_as_people_write_them(text, start, end, label):
    period = dvc.parse_period(text)
    assert (period.start, period.end) == (start, end)
    assert period.label("vi") == label


@pytest.mark.parametrize(
    "text", ["2024-13", "2024-05-31:2024-01-01", "2024-02-30:2024-03-01", "31/05/2024", ""]
)
def test_bad_periods_are_refused_naming_the_argument(text):
    with pytest.raises(ChisoError, match=r"^--period"):
        dvc.parse_period(text)


# ---------- command line ----------

EXPECTED_CSV = """level,indicator,numerator,denominator,rate_pct
unit,ty_le_so_hoa,1524,1547,98.51
unit,ty_le_dung_han,1547,1547,100.00
unit,ty_le_tiep_nhan_truc_tuyen,1389,1674,82.97
communes,ty_le_so_hoa,8184,8202,99.78
communes,ty_le_dung_han,8200,8202,99.98
communes,ty_le_tiep_nhan_truc_tuyen,8209,8210,99.99
"""


def test_cli_csv_prints_each_rate_with_numerator_and_denominator(published_db, capsys):
    argv = ["dvc", "--unit", "Xuân Trường", "--period", "2024-01-01:2024-05-31", "--format", "csv"]
    assert main([*argv, "--db", str(published_db)]) == 0
    out, err = capsys.readouterr()
    assert [",".join(line.split(",")[:5]) for line in out.splitlines()] == EXPECTED_CSV.splitlines()
    assert "37 + 1.389" in err  # the warning goes to standard error, the CSV stays clean


def _dvc_csv(capsys, db, *argv) -> list[dict]:
    import csv
    import io

    assert main(["dvc", *argv, "--format", "csv", "--db", str(db)]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_cli_csv_carries_flags_notes_sources_and_published_rates(published_db, capsys):
    """What the page shows beside each rate, in the machine format too (as ``chiso rank`` does)."""
    rows = _dvc_csv(capsys, published_db, "--unit", "Xuân Trường", "--period", "2024")
    assert {"kind", "printed", "flag", "note", "source_title", "source_url"} <= set(rows[0])
    unit = [r for r in rows if r["level"] == "unit"]
    communes = [r for r in rows if r["level"] == "communes"]
    assert all("không khớp" in r["flag"] for r in unit)  # the unit desk's channels do not add up
    assert all(r["flag"] == "" for r in communes)
    assert all(r["note"] == "chỉ có số liệu từ 01/01/2024 đến 31/05/2024" for r in rows)  # asked for 2024
    assert {r["source_title"] for r in rows} == {"Xuân Trường đẩy mạnh cải cách hành chính (2024)"}
    assert {r["kind"] for r in rows} == {"computed"}
    # Đầm Hà 2022 has no counts, only rates its source printed: the CSV holds them, as printed.
    rows = _dvc_csv(capsys, published_db, "--unit", "Đầm Hà", "--period", "2022")
    level3 = next(r for r in rows if r["indicator"] == "procedures_level3_pct")
    assert (level3["kind"], level3["printed"], level3["rate_pct"]) == ("published", "trên 89,9 %", "89.90")
    assert level3["numerator"] == "" and level3["source_title"].startswith("Đầm Hà nâng cao")


def test_cli_table_shows_published_rates_apart(published_db, capsys):
    argv = [
        "dvc",
        "--unit",
        "dong hoi",
        "--province",
        "quang binh",
        "--period",
        "2023",
        "--db",
        str(published_db),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "12.210/14.404 = 84,77 %" in out and "7.870/14.859 = 52,96 %" in out
    assert out.index("Tỷ lệ do nguồn công bố") < out.index("91,78 %")


def test_cli_heading_names_the_months_the_data_cover(published_db, capsys):
    # Xuân Trường's report covers January–May 2024: asked for the year, the heading says so.
    argv = ["dvc", "--unit", "Xuân Trường", "--period", "2024", "--db", str(published_db)]
    assert main(argv) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "Huyện Xuân Trường (Nam Định) · Tháng 1–5/2024"
    assert main([*argv, "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("· January–May 2024")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--unit", "Xuân Trường", "--period", "2024-13"], "--period '2024-13'"),
        (["--unit", "Không Có", "--period", "2024"], "Không tìm thấy đơn vị"),
        (["--unit", "Đầm Hà", "--period", "2020"], "2018-01-01:2018-08-09"),
    ],
)
def test_cli_errors_are_one_line_and_exit_1(published_db, capsys, argv, message):
    assert main(["dvc", *argv, "--db", str(published_db)]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


# ---------- the page ----------


@pytest.fixture
def demo_env(published_db, tmp_path_factory, monkeypatch):
    from chiso.demo.province import build_demo

    demo = tmp_path_factory.mktemp("dvc_demo") / "demo.duckdb"
    build_demo(CONFIG, demo)
    monkeypatch.setenv("CHISO_DB", str(published_db))
    monkeypatch.setenv("CHISO_DEMO_DB", str(demo))
    return demo


def page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_page_ranks_demo_localities_and_follows_the_selection(demo_env):
    at = page(ds="demo")
    assert not at.exception and not at.error
    assert any("Dữ liệu minh họa" in i.value for i in at.info)  # the demo banner
    ranking = at.dataframe[0].value
    assert len(ranking) == 13 and ranking["Hạng"].iloc[0] == "1/13"
    assert all(" = " in text and text.endswith(" %") for text in ranking["Tử số/mẫu số = tỷ lệ"])
    assert at.query_params["period"] == "2024-01-01:2024-12-31"

    at.selectbox(key="w_dvc_rate").select("ty_le_tiep_nhan_truc_tuyen").run()
    assert "Tỷ lệ hồ sơ tiếp nhận trực tuyến" in at.subheader[0].value
    assert at.dataframe[0].value["Tử số/mẫu số = tỷ lệ"].tolist() != ranking["Tử số/mẫu số = tỷ lệ"].tolist()

    at.radio(key="w_dvc_kind").set_value("quarter").run()
    assert at.query_params["period"] == "2024-10-01:2024-12-31"
    assert any("Quý 4/2024" in c.value for c in at.caption)
    assert "3 kỳ báo cáo" in at.dataframe[0].value["Số liệu"].iloc[0]  # three months summed
    assert not at.exception


def test_page_on_published_data_warns_in_words_and_labels_published_rates(demo_env):
    at = page()
    assert not at.exception and not at.error
    assert "Huyện Xuân Trường" in at.dataframe[0].value["Đơn vị"].tolist()
    assert any("37 + 1.389" in w.value and "1.674" in w.value for w in at.warning)
    # the year 2024 is selected but the reports cover January–May: the headings say the months
    headings = [c.value for c in at.caption] + [s.value for s in at.subheader]
    assert any("Tháng 1–5/2024" in h for h in headings)
    assert not any("Năm 2024" in h for h in headings)
    at = page(province="Quảng Bình")
    shown = at.dataframe[1].value
    assert "52,96" in shown["Tỷ lệ (%)"].tolist() and "91,78" in shown["Tỷ lệ (%)"].tolist()
    assert "Nguồn công bố (không phải số đếm)" in shown["Loại"].tolist()


def test_page_refuses_a_bad_period_in_the_link_with_a_notice(demo_env):
    at = page(ds="demo", period="1999-01-01:1999-12-31")
    assert not at.exception
    assert any("1999-01-01:1999-12-31" in t.value for t in at.toast)
    assert at.query_params["period"] == "2024-01-01:2024-12-31"


def test_rates_without_a_pair_keep_the_empty_columns():
    """Counts with unit columns but no numerator beside a denominator give no row, and (as when the
    plan was eager) no unit columns are joined on the empty result."""
    lone = pl.DataFrame(
        {
            "unit_id": ["a"],
            "name": ["A"],
            "level": ["unit"],
            "period_start": [date(2024, 1, 1)],
            "period_end": [date(2024, 1, 31)],
            "indicator": [RATES[0].denominator[0]],
            "value": [10.0],
        }
    )
    rated = dvc.compute_rates(lone, RATES)
    assert rated.is_empty() and "name" not in rated.columns
    assert "numerator_terms" in rated.columns


def test_a_trend_is_drawn_only_for_units_with_two_quarters_or_more():
    from chiso.views.services import trended_units

    by_quarter = pl.DataFrame(
        {"unit_id": ["a", "a", "a", "b", "c", "c"], "bucket": [1, 2, 3, 1, 2, 3], "rate_pct": [90.0] * 6}
    )
    assert trended_units(by_quarter) == frozenset({"a", "c"})
    assert trended_units(by_quarter.head(0)) == frozenset()
