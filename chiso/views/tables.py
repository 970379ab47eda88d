"""What a ranking looks like once it leaves the store: the machine columns the CLI prints
and the Vietnamese table the page shows. Pure functions over Polars frames."""

from __future__ import annotations

import re

import polars as pl

from chiso import exprs, fmt, safe
from chiso.columns import GAP_EXPORT, PROFILE_EXPORT
from chiso.config import Index
from chiso.i18n import label, t
from chiso.metrics.gaps import NextRank, WhatItTakes, component_max_inferred
from chiso.metrics.ranks import order_in_data, rank_change_text, ranks_comparable
from chiso.views import percentile


def machine_rows(ranking: pl.DataFrame, lang: str = "vi", index: Index | None = None) -> pl.DataFrame:
    """The ``chiso rank`` columns: plain numbers, dot decimals, % of max rounded half up to 2;
    then what the page shows beside them: the tier the source prints (empty when the tier is
    the project's band), the score, change and rank change as printed, the rank basis, the flag,
    the note (order among the loaded units, inference) and the source. ``rank``/``rank_of`` follow the rule in
    :mod:`chiso.metrics`: empty on an incomplete table unless published."""
    rows = ranking.to_dicts()
    notes = [rank_note({**row, "flag": None}, lang, index) or None for row in rows]
    return ranking.select(
        "rank",
        "rank_of",
        percentile.whole().alias("percentile"),
        pl.col("name").alias("unit"),
        "score",
        "max_score",
        exprs.round_half_up("pct_of_max", 2).alias("pct_of_max"),
        pl.col("tier_vi" if lang == "vi" else "tier_en").alias("tier"),
        pl.col("printed_tier").fill_null(""),
        # the score, its change and its rank's change as the source printed them ('96,04 %', 'tăng 9 bậc')
        pl.col("printed").fill_null(""),
        pl.col("printed_change").fill_null(""),
        pl.col("printed_rank_change").fill_null(""),
        "published_rank",
        pl.col("rank_basis").fill_null(""),
        pl.col("flag").fill_null(""),
        pl.Series("note", notes, dtype=pl.String).fill_null(""),
        pl.col("source_title").fill_null(""),
        pl.col("source_url").fill_null(""),
    )


def rank_note(row: dict, lang: str, index: Index | None = None) -> str:
    """Why a row reads the way it does: rank inferred from list order, order among the units in
    the data, a published rank the scores disagree with, the flag, and (given the index) what
    is inferred rather than published."""
    notes = []
    if row.get("rank_basis") == "list_order":
        notes.append(t("rank.basis.list_order", lang))
    elif row.get("rank_basis") == "computed" and row.get("rank") is not None:
        notes.append(t("rank.basis.computed", lang))
    order = order_in_data(row)
    if order:
        notes.append(t("rank.order_in_data", lang, k=order[0], n=order[1]))
    if row.get("rank_mismatch"):
        notes.append(t("rank.mismatch", lang, computed=row.get("rank_computed")))
    if row.get("flag"):
        notes.append(f"⚑ {row['flag']}")
    if row.get("prev_flag"):  # the change is computed from a row in doubt
        notes.append(t("rank.prev_flag", lang, year=row["year"] - 1, flag=row["prev_flag"]))
    inferred = inference_note(row, index, lang) if index is not None else ""
    if inferred:
        notes.append(inferred)
    return "; ".join(notes)


def display_table(ranking: pl.DataFrame, index: Index, lang: str) -> pl.DataFrame:
    """The rankings table as shown: text cells with Vietnamese numbers, tier names, arrows."""
    if ranking.is_empty():
        return pl.DataFrame()
    first = ranking.row(0, named=True)
    declared = index.decimals_for(first["province"], first["peer_group"], first["year"])
    decimals = fmt.printed_places(ranking.get_column("score"), declared)
    unit = scale_label(index, first["province"], first["peer_group"], first["year"], lang)
    rows = []
    for row in ranking.iter_rows(named=True):
        rows.append(
            {
                t("col.rank", lang): fmt.rank(row["rank"], row["rank_of"]),
                t("col.percentile", lang): percentile.cell(row, lang),
                t("col.unit", lang): row["name"],
                t("col.score", lang, unit=unit): fmt.number(row["score"], decimals, lang=lang),
                t("col.pct_of_max", lang): pct_text(row, lang),
                t("col.tier", lang): tier_text(row, index, lang) or fmt.EMPTY,
                t("col.d_score", lang): change_text(row, decimals, lang),
                t("col.d_rank", lang): rank_change_shown(row, lang),
                t("col.note", lang): rank_note(row, lang, index),
                t("col.source", lang): row["source_title"] or fmt.EMPTY,
            }
        )
    return pl.DataFrame(rows)


def table_status(ranking: pl.DataFrame) -> str:
    """'complete', 'incomplete' or 'empty': drives the sentence above the table."""
    if ranking.is_empty() or (
        ranking.get_column("score").null_count() == ranking.height
        and ranking.get_column("rank").null_count() == ranking.height
    ):
        return "empty"
    return "complete" if bool(ranking.get_column("complete").all()) else "incomplete"


def status_sentence(ranking: pl.DataFrame, status: str, lang: str) -> str:
    """The sentence above the table: complete, complete with mismatches, or incomplete."""
    scored = ranking.get_column("score").count()
    if status == "complete":
        mismatches = int(ranking.get_column("rank_mismatch").sum())
        if mismatches:
            return t("rankings.complete_mismatch", lang, n=scored, k=mismatches)
        bases = set(ranking.get_column("rank_basis").drop_nulls().to_list())
        if "list_order" in bases:  # the source lists the units; its order is read as their rank
            return t("rankings.complete_list_order", lang, n=scored)
        if "published" not in bases:  # the source printed no rank: they are ours, from the scores
            return t("rankings.complete_computed", lang, n=scored)
        return t("rankings.complete", lang, n=scored)
    rank_of = ranking.get_column("published_rank_of").max()
    of = t("rankings.incomplete_of", lang, n=rank_of) if rank_of else ""
    if not scored:  # a source that printed ranks only (Quảng Ninh's departments, PAR 2024)
        return t("rankings.incomplete_ranks_only", lang, of=of)
    return t("rankings.incomplete", lang, scored=scored, of=of)


def source_line(ranking: pl.DataFrame, lang: str) -> str:
    """'Nguồn: …' naming the distinct sources of a table (at most two, then '…')."""
    titles = [s for s in ranking.get_column("source_title").unique(maintain_order=True).to_list() if s]
    if not titles:
        return ""
    text = "; ".join(titles[:2]) + (" …" if len(titles) > 2 else "")
    return t("chart.source", lang, source=text)


def file_name(sel) -> str:
    """A meaningful download name: 'chiso_PAR_2022_departments_hoa-binh'."""
    from chiso.names import slug

    parts = [
        "chiso",
        sel.index,
        str(sel.year),
        sel.peer_group,
        slug(sel.province) if sel.province else "toan-quoc",
    ]
    return "_".join(parts)


def scale_label(index: Index, province: str, peer_group: str, year: int, lang: str) -> str:
    """The unit and scale a number is read on: '%', '/100', '/30', '/1000'."""
    unit = index.unit_for(province, peer_group, year).get(lang, "")
    if unit.strip() == "%":
        return "%"
    top = index.max_for(province, peer_group, year, None)
    scale = f"/{fmt.number(top, 0 if float(top).is_integer() else 1, lang=lang)}"
    return f"{scale}, {t('inferred.max', lang)}" if index.inferred_max(province, peer_group, year) else scale


def pct_text(row: dict, lang: str) -> str:
    """% of maximum; where the source prints a figure it is shown as printed, and a computed
    figure that differs beside it, labelled: '96,04 % (nguồn) · tính được 96,03 %'."""
    computed = fmt.percent(row.get("pct_of_max"), lang=lang)
    printed = row.get("printed")
    if not printed:
        return computed
    shown = t("printed.as_printed", lang, value=printed)
    if row.get("pct_of_max") is None or printed.replace(" ", "") == computed.replace(" ", ""):
        return shown
    return f"{shown} · {t('printed.computed', lang, value=computed)}"


def change_text(row: dict, decimals: int, lang: str) -> str:
    """Δ score; a change the source prints is shown as printed ('+4,54 so với 2020 (nguồn)'),
    a computed change that differs beside it, labelled."""
    computed = fmt.signed(row.get("d_score"), decimals, lang=lang)
    printed = row.get("printed_change")
    if not printed:
        return computed
    shown = t("printed.as_printed", lang, value=printed)
    if row.get("d_score") is None or same_change(printed, row["d_score"]):
        return shown
    return f"{shown} · {t('printed.computed', lang, value=computed)}"


def rank_change_shown(row: dict, lang: str) -> str:
    """Δ rank; a change of rank the source prints is shown as printed ('tăng 9 bậc (nguồn)'), a
    computed change that differs beside it, labelled."""
    computed = rank_change_text(row, lang)
    printed = row.get("printed_rank_change")
    if not printed:
        return computed
    shown = t("printed.as_printed", lang, value=printed)
    if row.get("d_rank") is None or same_rank_change(printed, row["d_rank"]):
        return shown
    return f"{shown} · {t('printed.computed', lang, value=computed)}"


_PRINTED_STEPS = re.compile(r"(\d+)\s*bậc")


def same_rank_change(printed: str, computed: int) -> bool:
    """Whether a printed change of rank ('tăng 9 bậc', 'tụt xuống 2 bậc') says the computed one
    (positive: up); False where its direction cannot be read."""
    found = _PRINTED_STEPS.search(printed)
    up, down = bool(_UP.search(printed)), bool(_DOWN.search(printed))
    if not found or up == down:
        return False
    return int(found.group(1)) * (-1 if down else 1) == computed


_PRINTED_NUMBER = re.compile(r"([+\-−]?)\s*(\d+(?:,\d+)?)")
_UP, _DOWN = re.compile(r"\btăng\b"), re.compile(r"\b(?:giảm|tụt)\b")


def same_change(printed: str, computed: float) -> bool:
    """Whether a printed change ('+4,54 so với 2020', 'tăng 1,95 điểm so với năm 2023') says the
    computed one, at the decimals it prints; False where its sign cannot be read."""
    found = _PRINTED_NUMBER.search(printed)
    if not found:
        return False
    sign, digits = found.groups()
    if sign:
        negative = sign != "+"
    elif _UP.search(printed) or _DOWN.search(printed):
        negative = bool(_DOWN.search(printed))
    else:
        return False
    places = len(digits.split(",")[1]) if "," in digits else 0
    value = float(digits.replace(",", ".")) * (-1 if negative else 1)
    return fmt.round_half_up(computed, places) == value


def printed_lines(unit_rows: pl.DataFrame, catalog, year: int, lang: str) -> list[str]:
    """Figures the sources print for a unit in a year (totals and components), as printed:
    'SIPAS: 28,81 — 96,04 % (nguồn) · tính được 96,03 %'. The Profile page and ``chiso profile``
    both print these lines."""
    if unit_rows.is_empty() or "printed" not in unit_rows.columns:
        return []
    shown = unit_rows.filter(
        (pl.col("year") == year) & (pl.col("printed").is_not_null() | pl.col("printed_change").is_not_null())
    )
    lines = []
    for row in shown.iter_rows(named=True):
        index = catalog.index(row["index_code"])
        decimals = index.decimals_for(row["province"] or "", row["peer_group"], row["year"])
        what = label(index.short_name, lang)
        if row["component"]:
            variant = index.variant_for(row["province"] or "", row["peer_group"], row["year"])
            names = {c.code: label(c.name, lang) for c in (variant.components if variant else [])}
            what += f" · {names.get(row['component'], row['component'])}"
        parts = [fmt.number(row["score"], decimals, lang=lang)]
        if row.get("printed"):
            parts.append(pct_text(row, lang))
        if row.get("printed_change"):
            parts.append(change_text(row, decimals, lang))
        lines.append(f"{what}: {' — '.join(parts)}")
    return lines


def tier_text(row: dict, index: Index, lang: str) -> str:
    """The tier as shown: 'Nhóm A'; a band the project deduced carries '(suy luận)'; a tier the
    source prints (``printed_tier``, PCI's 'Tốt') is shown as printed, unmarked."""
    name = row.get("tier_vi" if lang == "vi" else "tier_en")
    if not name:
        return ""
    return f"{name} ({t('inferred.mark', lang)})" if _tier_inferred(row, index) else name


def with_tier_text(ranking: pl.DataFrame, index: Index, lang: str) -> pl.DataFrame:
    """The ranking with its tier column (``tier_vi`` or ``tier_en``) as :func:`tier_text` shows it."""
    column = "tier_vi" if lang == "vi" else "tier_en"
    if ranking.is_empty() or column not in ranking.columns:
        return ranking
    shown = [tier_text(row, index, lang) or None for row in ranking.iter_rows(named=True)]
    return ranking.with_columns(pl.Series(column, shown, dtype=pl.String))


def _tier_inferred(row: dict, index: Index) -> bool:
    if row.get("printed_tier") or not row.get("tier_code") or row.get("year") is None:
        return False
    tiers = index.tiers_for(row.get("province") or "", row.get("peer_group") or "", row["year"])
    return any(tier.code == row["tier_code"] and tier.inferred for tier in tiers)


def inference_note(row: dict, index: Index, lang: str) -> str:
    """What in a row is the project's deduction, not published: the maximum, the tier band, the
    component structure. Empty when nothing is inferred. The ``note`` of machine formats."""
    if row.get("year") is None:
        return ""
    province, group, year = row.get("province") or "", row.get("peer_group") or "", row["year"]
    notes = []
    if row.get("max_score") is not None and index.inferred_max(province, group, year):
        notes.append(t("inferred.max_note", lang, max=fmt.number(row["max_score"], 0, lang=lang)))
    if _tier_inferred(row, index):
        notes.append(t("inferred.tier_note", lang, tier=row.get("tier_vi" if lang == "vi" else "tier_en")))
    variant = index.variant_for(province, group, year)
    if row.get("component") and variant is not None and variant.inferred:
        notes.append(t("inferred.structure_note", lang))
    return "; ".join(notes)


def published_stat_lines(
    stats: pl.DataFrame, decimals: int, lang: str, index: Index | None = None, sel=None
) -> list[str]:
    """'Bình quân công bố: 87,12 (source)' for each published average or median of a table. One
    the source gave for every unit it assessed (peer group 'all': Hải Phòng's 92,67 % over all its
    agencies, beside 93,95 % for the departments) says so; one printed as a percentage of a table
    scored on another scale (Quảng Ninh's DGI 2024: 92,29 % beside scores out of 80), or of an
    index read in %, carries its '%'."""
    percent_index, top = False, None
    if index is not None and sel is not None:
        percent_index = index.unit_for(sel.province, sel.peer_group, sel.year).get("vi", "").strip() == "%"
        top = index.max_for(sel.province, sel.peer_group, sel.year, None)
    lines = []
    for row in stats.iter_rows(named=True):
        as_percent = row.get("max_score") == 100 and (percent_index or (top is not None and top != 100))
        number = fmt.percent if as_percent else fmt.number
        places = fmt.printed_places([row["value"]], decimals)  # as printed: 93,95, never 93,950
        key = "rankings.published_stat_all" if row.get("peer_group") == "all" else "rankings.published_stat"
        lines.append(
            t(
                key,
                lang,
                stat=t(f"stat.{row['stat']}", lang),
                value=number(row["value"], places, lang=lang),
                source=row["source_title"],
            )
        )
    return lines


MACHINE_HEADERS = {
    "component_label": "gaps.col.component",
    "component": "gaps.col.component",
    "name": "col.unit",
    "score": "gaps.col.score",
    "max_score": "export.col.max_score",
    "pct_of_max": "col.pct_of_max",
    "points_lost": "gaps.col.points_lost",
    "component_rank": "gaps.col.rank",
    "rank": "col.rank",
    "rank_of": "export.col.rank_of",
    "peer_mean": "gaps.col.peer_mean",
    "best_unit": "gaps.col.best",
    "best_score": "export.col.best_score",
    "gap_to_best": "gaps.col.gap_to_best",
    "index_code": "sel.index",
    "year": "sel.year",
    "percentile": "profile.percentile",
    "d_score": "col.d_score",
    "d_rank": "col.d_rank",
    "change": "why.change",
    "kind": "profile.kind",
    "rank_a": "why.rank_a",
    "rank_b": "why.rank_b",
    "score_a": "why.score_a",
    "score_b": "why.score_b",
    "note": "col.note",
}


def gap_export(gap_table: pl.DataFrame, lang: str, notes: list[str] | None = None) -> pl.DataFrame:
    """The gaps table for CSV/XLSX: component names, numbers rounded half up to 2 decimals (4 on a
    0–1 scale), and
    with ``notes`` (:func:`gap_notes`) a last column saying what is inferred, as the rankings' note."""
    on_0_to_1 = pl.col("max_score") <= 1  # a 0–1 scale keeps 4 decimals, as on screen
    rounded = gap_table.with_columns(
        exprs.round_half_up("pct_of_max", 2),
        *(
            pl.when(on_0_to_1).then(exprs.round_half_up(c, 4)).otherwise(exprs.round_half_up(c, 2)).alias(c)
            for c in ("points_lost", "peer_mean", "gap_to_best")
        ),
    ).rename({"name": "component_label"})
    if "n_in_data" in rounded.columns:  # the only unit scored is compared with nobody, as on screen
        alone = pl.col("n_in_data") == 1
        rounded = rounded.with_columns(
            pl.when(~alone).then(c).alias(c) for c in ("best_unit", "best_score", "gap_to_best")
        )
    if notes is not None:
        rounded = rounded.with_columns(pl.Series("note", notes, dtype=pl.String))
    return machine_table(rounded, ["component_label", *GAP_EXPORT[1:], "note"], lang)


def gap_notes(
    gap_table: pl.DataFrame, index: Index, province: str, peer_group: str, year: int, lang: str
) -> list[str]:
    """Per row of a gaps table, what in it is the project's deduction (the component's maximum,
    the component structure), empty where nothing is: the ``note`` of ``chiso gaps`` and of the
    Components page's CSV/XLSX."""
    where = {"province": province, "peer_group": peer_group, "year": year}
    return [
        inference_note({**where, "component": code, "max_score": top}, index, lang)
        for code, top in gap_table.select("component", "max_score").rows()
    ]


def profile_export(profile: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The profile table for CSV/XLSX, numbers rounded half up (2 decimals; percentile whole)."""

    def rounded(column: str, places: int) -> pl.Expr:
        return exprs.round_half_up(column, places)

    return machine_table(
        profile.with_columns(rounded("pct_of_max", 2), rounded("percentile", 0), rounded("d_score", 2)),
        PROFILE_EXPORT,
        lang,
    )


def machine_table(frame: pl.DataFrame, columns: list[str], lang: str) -> pl.DataFrame:
    """The numbers behind a table as numbers, with the page's headers: what CSV/XLSX exports carry."""
    present = [c for c in columns if c in frame.columns]
    return frame.select(present).rename({c: t(MACHINE_HEADERS.get(c, c), lang) for c in present})


def unit_names(rows: pl.DataFrame) -> dict[str, str]:
    """unit_id -> name, best rank first (units without a rank last)."""
    ordered = rows.sort("rank", "name", nulls_last=True).unique("unit_id", keep="first", maintain_order=True)
    return dict(ordered.select("unit_id", "name").rows())


def first_unit(rows: pl.DataFrame) -> str | None:
    names = unit_names(rows)
    return next(iter(names), None)


def table_links(
    tables: pl.DataFrame, catalog, lang: str, page: str, dataset: str = "published", n: int = 6
) -> str:
    """Markdown links to tables that have what a page needs ('PCI 2019 · Tỉnh, thành phố …'),
    each opening the page on that table, in the current language and dataset; the list closes the
    sentence it ends (the locale strings put no period after it)."""
    from urllib.parse import urlencode

    if tables.is_empty():
        return "–."
    items = []
    for row in tables.head(n).iter_rows(named=True):
        group = label(catalog.peer_groups[row["peer_group"]].name, lang)
        where = f"{group} · {row['scope_province']}" if row.get("scope_province") else group
        where, name = safe.md(where), safe.md(label(catalog.index(row["index_code"]).short_name, lang))
        query = {
            "group": row["peer_group"],
            "province": row.get("scope_province") or None,
            "index": row["index_code"],
            "year": row["year"],
            "lang": lang if lang != "vi" else None,
            "ds": dataset if dataset != "published" else None,
        }
        link = urlencode({k: v for k, v in query.items() if v not in (None, "")})
        items.append(f"[{name} {row['year']} \\({where}\\)](/{page}?{link})")
    # the list ends the sentence: with a period, or with "…" alone when cut (never "….")
    return "; ".join(items) + (" …" if tables.height > n else ".")


def multi_year_tables(tables: pl.DataFrame) -> pl.DataFrame:
    """Tables whose index, peer group and scope have at least two years: the latest year of each."""
    return (
        tables.group_by("scope_province", "peer_group", "index_code")
        .agg(pl.col("year").max(), pl.col("year").n_unique().alias("n_years"), pl.col("n_scored").max())
        .filter(pl.col("n_years") >= 2)
        .sort(["n_scored", "year"], descending=True)
    )


def gap_display(
    gap_table: pl.DataFrame, lang: str, *, inferred: bool = False, declared: int | None = None
) -> pl.DataFrame:
    """The gaps table as shown: Vietnamese numbers, rank n/N, best peer and gap; ``inferred``:
    the components' maxima are the project's deduction, marked beside each score; ``declared``:
    the index's decimals (:func:`out_of`)."""
    mark = f" ({t('inferred.max', lang)})" if inferred else ""
    rows = []
    for row in gap_table.iter_rows(named=True):
        fallback = scale_decimals(row["max_score"])
        alone = row.get("n_in_data") == 1

        def points(key: str, row: dict = row, fallback: int = fallback) -> str:
            return fmt.number(row[key], fmt.places(row[key], declared, fallback), lang=lang)

        rows.append(
            {
                t("gaps.col.component", lang): row["name"],
                t("gaps.col.score", lang): out_of(row["score"], row["max_score"], lang, declared) + mark,
                t("col.pct_of_max", lang): fmt.percent(row["pct_of_max"], lang=lang),
                t("gaps.col.points_lost", lang): points("points_lost"),
                t("gaps.col.rank", lang): fmt.rank(row["component_rank"], row["rank_of"]),
                t("gaps.col.peer_mean", lang): points("peer_mean"),
                # the only unit scored on a component is compared with nobody: no best, no gap
                t("gaps.col.best", lang): fmt.EMPTY
                if alone
                else f"{row['best_unit'] or fmt.EMPTY} ({points('best_score')})",
                t("gaps.col.gap_to_best", lang): fmt.EMPTY if alone else points("gap_to_best"),
            }
        )
    return pl.DataFrame(rows)


def what_it_takes_cards(needs: WhatItTakes, decimals: int, lang: str) -> list[tuple[str, str]]:
    """Three cards: points to the next rank, to the next tier, to the top 3 — or why none is
    given. A unit is said to be first or in the top 3 on its stored rank (published, or computed
    on a complete table), never on its place among the few units a partial table holds (20th of
    63 may be the best of the six scored); where the table lacks the scores above it, the card
    says so instead."""
    in_top3 = needs.rank is not None and needs.rank <= 3
    if needs.rank is None and needs.complete and needs.rank_in_data is not None:
        in_top3 = needs.rank_in_data <= 3

    def card(entry, reached: bool, reached_key: str, unknown: bool = False) -> str:
        if entry and entry.points is not None:
            return f"+{fmt.number(entry.points, decimals, lang=lang)}"
        if reached:
            return t(reached_key, lang)
        return t("gaps.unknown_above", lang) if unknown else t("gaps.not_applicable", lang)

    tier = needs.next_tier
    tier_name = (tier.name_vi if lang == "vi" else tier.name_en) if tier else "–"
    if tier and tier.inferred:
        tier_name += f" ({t('inferred.mark', lang)})"
    scored = needs.reason is None
    return [
        (
            t("gaps.card.next_rank", lang, rank=_target_rank(needs.next_rank))
            if _target_rank(needs.next_rank) != "–"
            else t("gaps.card.next_rank_none", lang),
            card(
                needs.next_rank,
                scored and needs.reason_rank == "top",
                "gaps.reached.top",
                unknown=scored and needs.reason_rank == "no_data_above" and not needs.complete,
            ),
        ),
        (
            t("gaps.card.next_tier", lang, tier=tier_name) if tier else t("gaps.card.next_tier_none", lang),
            t("gaps.bands_contradicted", lang)
            if scored and needs.bands_contradicted
            else t("gaps.no_tiers", lang)
            if not needs.has_tiers
            else card(tier, scored and not tier, "gaps.reached.tier"),
        ),
        (
            t("gaps.card.top_three", lang),
            card(
                needs.top3,
                scored and in_top3,
                "gaps.reached.top_three",
                unknown=scored and not in_top3 and not needs.complete,
            ),
        ),
    ]


def _target_rank(entry: NextRank | None) -> str:
    if not entry:
        return "–"
    return str(entry.stored_rank or entry.rank or "–")


def unit_choices(units: pl.DataFrame) -> dict[str, str]:
    """unit_id -> 'Name (Province)' for a unit picker across the whole database."""
    named = units.unique("unit_id", keep="first", maintain_order=True).select(
        "unit_id",
        pl.when(
            pl.col("province").is_not_null()
            & (pl.col("province") != "")
            & (pl.col("province") != pl.col("name"))
        )
        .then(pl.concat_str("name", pl.lit(" ("), "province", pl.lit(")")))
        .otherwise(pl.col("name"))
        .alias("label"),
    )
    return dict(zip(named.get_column("unit_id").to_list(), named.get_column("label").to_list(), strict=True))


def default_profile_unit(units: pl.DataFrame) -> str | None:
    """A sub-provincial unit when there is one (the committee's own units), else the first."""
    local = units.filter(pl.col("peer_group").is_in(["localities", "communes", "departments"]))
    pick = local if not local.is_empty() else units
    return pick.get_column("unit_id").to_list()[0] if not pick.is_empty() else None


def index_caption(index: Index, lang: str) -> str:
    return f"{label(index.short_name, lang)} · % {t('profile.of_max', lang)}"


def profile_display(profile: pl.DataFrame, catalog, lang: str) -> pl.DataFrame:
    """One row per index: score with scale, rank n/N, percentile, tier, change."""
    rows = []
    for row in profile.iter_rows(named=True):
        index = catalog.index(row["index_code"])
        declared = index.decimals_for(row["province"], row["peer_group"], row["year"])
        decimals = fmt.printed_places([row["score"]], declared)
        scale = scale_label(index, row["province"], row["peer_group"], row["year"], lang)
        rows.append(
            {
                t("sel.index", lang): label(index.short_name, lang),
                t("sel.year", lang): str(row["year"]),
                t("gaps.col.score", lang): score_with_scale(row["score"], decimals, scale, lang),
                t("col.rank", lang): fmt.rank(row["rank"], row["rank_of"]),
                t("profile.percentile", lang): fmt.number(row["percentile"], 0, lang=lang),
                t("col.tier", lang): tier_text(row, index, lang) or fmt.EMPTY,
                t("col.d_score", lang): change_text(row, decimals, lang),
                t("col.d_rank", lang): rank_change_shown(row, lang),
                t("col.note", lang): rank_note(row, lang, index),
            }
        )
    return pl.DataFrame(rows)


def _component_label(catalog, row: dict, lang: str) -> str:
    index = catalog.index(row["index_code"])
    variant = index.variant_for(row["province"], row["peer_group"], row["year"])
    names = {c.code: label(c.name, lang) for c in (variant.components if variant else [])}
    return f"{label(index.short_name, lang)} · {names.get(row['component'], row['component'])}"


def extremes_display(extremes: pl.DataFrame, catalog, lang: str) -> pl.DataFrame:
    """Strongest and weakest components across indices, with % of maximum."""
    return pl.DataFrame(
        [
            {
                t("profile.kind", lang): t(f"profile.{row['kind']}", lang),
                t("gaps.col.component", lang): _component_label(catalog, row, lang),
                t("gaps.col.score", lang): out_of(
                    row["score"], row["max_score"], lang, _declared(catalog.index(row["index_code"]), row)
                )
                + _inferred_scale(catalog.index(row["index_code"]), row, lang),
                t("col.pct_of_max", lang): fmt.percent(row["pct_of_max"], lang=lang),
            }
            for row in extremes.iter_rows(named=True)
        ]
    )


def _declared(index: Index, row: dict) -> int:
    """The index's decimals for the table a row belongs to."""
    return index.decimals_for(row.get("province") or "", row.get("peer_group") or "", row["year"])


def _inferred_scale(index: Index, row: dict, lang: str) -> str:
    """' (thang điểm suy luận)' beside a component figure read on maxima the project deduced."""
    inferred = component_max_inferred(
        index, row.get("province") or "", row.get("peer_group") or "", row["year"]
    )
    return f" ({t('inferred.max', lang)})" if inferred else ""


def cross_index_frame(cross: pl.DataFrame, catalog, lang: str) -> pl.DataFrame:
    """Percentile per index with a readable label ('SIPAS 2024 · 10/13')."""
    return cross.with_columns(
        label=pl.format(
            "{} {} · {}",
            exprs.mapped(cross, "index_code", lambda code: label(catalog.index(code).short_name, lang)),
            pl.col("year"),
            exprs.rank_text(),
        )
    )


def _first_rows(rows: pl.DataFrame, line: str) -> dict[tuple, dict]:
    """Each (``line`` value, unit)'s first row, read once: a comparison table's cells (a filter
    per cell cost ≈ 0,15 ms each)."""
    cells: dict[tuple, dict] = {}
    for row in rows.iter_rows(named=True):
        cells.setdefault((row[line], row["unit_id"]), row)
    return cells


def compare_display(
    rows: pl.DataFrame, chosen: list[str], names: dict[str, str], lang: str, declared: int | None = None
) -> pl.DataFrame:
    """Indices and components down, chosen units across: 'score (% of max)'; ``declared``: the
    index's decimals (:func:`out_of`)."""
    order = {u: i for i, u in enumerate(chosen)}
    units = rows.select("unit_id", "name").unique("unit_id").sort(pl.col("unit_id").replace_strict(order))
    cells = _first_rows(rows.select("component", "unit_id", "score", "max_score", "pct_of_max"), "component")
    shown = {component for component, _ in cells}
    lines = []
    for component in [None, *names]:
        if component not in shown:
            continue
        line = {
            t("gaps.col.component", lang): t("compare.total", lang) if component is None else names[component]
        }
        for unit_id, name in units.rows():
            value = cells.get((component, unit_id), {})
            score = value.get("score")
            share = fmt.percent(value.get("pct_of_max"), 0, lang=lang)
            line[name] = (
                f"{out_of(score, value.get('max_score'), lang, declared)} ({share})"
                if score is not None
                else fmt.EMPTY
            )
        lines.append(line)
    return pl.DataFrame(lines)


def compare_frame(rows: pl.DataFrame, chosen: list[str], names: dict[str, str]) -> pl.DataFrame:
    """Long frame for the grouped bars: unit, component name, % of maximum (components only)."""
    comps = rows.filter(pl.col("component").is_not_null() & pl.col("pct_of_max").is_not_null())
    if comps.is_empty():
        return comps
    order = {u: i for i, u in enumerate(chosen)}
    comp_order = {c: i for i, c in enumerate(names)}
    return (
        comps.with_columns(
            unit=pl.col("name"),
            component_name=pl.col("component").replace_strict(names, default=pl.col("component")),
            _u=pl.col("unit_id").replace_strict(order, default=99),
            _c=pl.col("component").replace_strict(comp_order, default=99),
        )
        .sort("_u", "_c")
        .select("unit", "component_name", "pct_of_max")
    )


def change_sentence(rows_a: pl.DataFrame, rows_b: pl.DataFrame, unit_id: str, index: Index, lang: str) -> str:
    """'Từ 2023 đến 2024: 86,82 → 87,81 (+0,99 điểm); hạng 7/13 → 6/13 (▲ 1).'"""

    def total(rows: pl.DataFrame) -> dict:
        found = rows.filter((pl.col("unit_id") == unit_id) & pl.col("component").is_null())
        return found.row(0, named=True) if not found.is_empty() else {}

    a, b = total(rows_a), total(rows_b)
    if not a or not b:
        return t("why.missing_year", lang)
    decimals = index.decimals_for(b["province"], b["peer_group"], b["year"])
    comparable = ranks_comparable(a, b)
    d_rank = (a["rank"] - b["rank"]) if comparable else None
    return t(
        "why.sentence",
        lang,
        year_a=a["year"],
        year_b=b["year"],
        score_a=fmt.number(a["score"], decimals, lang=lang),
        score_b=fmt.number(b["score"], decimals, lang=lang),
        change=fmt.signed((b["score"] or 0) - (a["score"] or 0), decimals, lang=lang)
        if a["score"] is not None and b["score"] is not None
        else fmt.EMPTY,
        rank_a=percentile.rank_text(a, lang),
        rank_b=percentile.rank_text(b, lang),
        d_rank=fmt.rank_change(d_rank) if comparable is not False else t("rank.not_comparable", lang),
    ) + percentile.peer_set_note(a, b, lang)


def split_labels(split: pl.DataFrame, names: dict[str, str], lang: str) -> pl.DataFrame:
    """Component codes replaced by their names; the residual row gets a readable label."""
    return split.with_columns(
        component=pl.when(pl.col("kind") == "residual")
        .then(pl.lit(t("why.residual", lang)))
        .otherwise(pl.col("component").replace_strict(names, default=pl.col("component")))
    )


def movers_display(movers: pl.DataFrame, lang: str) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                t("why.relation", lang): t(f"why.{row['relation']}", lang),
                t("col.unit", lang): row["name"],
                t("why.rank_move", lang): f"{row['rank_a']} → {row['rank_b']}",
                t("col.d_score", lang): fmt.signed(row["d_score"], 2, lang=lang),
                t("col.d_rank", lang): fmt.rank_change(row["d_rank"]),
            }
            for row in movers.iter_rows(named=True)
        ]
    )


def scale_decimals(top: float | None) -> int:
    """A component figure's decimals when the index declares none that print it exactly: 4 on a
    0–1 scale, 2 otherwise (:func:`out_of`, the components table)."""
    return 4 if top is not None and top <= 1 else 2


def out_of(score: float | None, top: float | None, lang: str, declared: int | None = None) -> str:
    """'7,16/10', '28,81/30', '0,4874/1', '943/1.000': a score with the maximum it is read on;
    ``declared``: the index's decimals for the table, used where the score is exact at them (else
    2 decimals, 4 on a 0–1 scale)."""
    if score is None:
        return fmt.EMPTY
    decimals = fmt.places(score, declared, scale_decimals(top))
    top_text = fmt.number(top, 0 if top is not None and float(top).is_integer() else 2, lang=lang)
    return f"{fmt.number(score, decimals, lang=lang)}/{top_text}"


def score_with_scale(score: float | None, decimals: int, scale: str, lang: str) -> str:
    """'72,57/100', '91,46 %': a score never shown without its scale."""
    if score is None:
        return fmt.EMPTY
    text = fmt.number(score, decimals, lang=lang)
    return f"{text} %" if scale == "%" else f"{text}{scale}"


def compare_indices(rows: pl.DataFrame, chosen: list[str], catalog, year: int, lang: str) -> pl.DataFrame:
    """Every index of the chosen units in one year: 'score/scale · rank n/N' per unit."""
    totals = rows.filter(pl.col("component").is_null() & (pl.col("year") == year))
    order = {u: i for i, u in enumerate(chosen)}
    units = (
        totals.select("unit_id", "name")
        .unique("unit_id")
        .sort(pl.col("unit_id").replace_strict(order, default=99))
    )
    cells = _first_rows(totals, "index_code")
    shown = {code for code, _ in cells}
    lines = []
    for code in catalog.codes:
        if code not in shown:
            continue
        index = catalog.index(code)
        line = {t("sel.index", lang): label(index.short_name, lang)}
        for unit_id, name in units.rows():
            row = cells.get((code, unit_id))
            if row is None:
                line[name] = fmt.EMPTY
                continue
            scale = scale_label(index, row["province"], row["peer_group"], row["year"], lang)
            decimals = index.decimals_for(row["province"], row["peer_group"], row["year"])
            score = score_with_scale(row["score"], decimals, scale, lang)
            line[name] = f"{score} · {percentile.rank_text(row, lang)}"
        lines.append(line)
    return pl.DataFrame(lines)


def series_scale(index: Index, series: pl.DataFrame, lang: str) -> str:
    """The scale of a multi-year series: '/100', '%', or the unit when the maximum changed."""
    unit = label(index.unit, lang)
    if unit.strip() == "%":
        return "%"
    maxima = series.get_column("max_score").drop_nulls().unique().to_list()
    if len(maxima) == 1:
        top = maxima[0]
        return f"/{fmt.number(top, 0 if float(top).is_integer() else 1, lang=lang)}"
    return unit


def compare_export(rows: pl.DataFrame, chosen: list[str], names: dict[str, str], lang: str) -> pl.DataFrame:
    """The compared units' totals and components as numbers, one row per unit and component."""
    order = {u: i for i, u in enumerate(chosen)}
    comp_order = {c: i for i, c in enumerate(names)}
    frame = rows.with_columns(
        component_label=pl.when(pl.col("component").is_null())
        .then(pl.lit(t("compare.total", lang)))
        .otherwise(pl.col("component").replace_strict(names, default=pl.col("component"))),
        _u=pl.col("unit_id").replace_strict(order, default=99),
        _c=pl.when(pl.col("component").is_null())
        .then(-1)
        .otherwise(pl.col("component").replace_strict(comp_order, default=98)),
        pct_of_max=exprs.round_half_up("pct_of_max", 2),
    ).sort("_u", "_c")
    return machine_table(
        frame, ["name", "component_label", "score", "max_score", "pct_of_max", "rank", "rank_of"], lang
    )
