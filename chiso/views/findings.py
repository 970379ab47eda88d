"""Findings in plain Vietnamese (English under the language switch), made by rules from the
stored numbers only: no language model, no number that is not in a ``ranked`` row or
computed from such rows by ``chiso.gaps``.

Sentences follow the register of provincial reports, e.g. "Năm 2021, huyện Đầm Hà xếp thứ
3/13 về Chỉ số CCHC (PAR INDEX) với 91,24 điểm." Every :class:`Finding` carries the stored
row it comes from (``row``, a dict of the ``ranked`` columns: source title, URL, quote,
flag …) so a page can show it in an expander or a tooltip. Numbers keep their unit and
scale ("28,81/30 điểm", "72,74/80 điểm", "99,38 %"); a rank computed among an incomplete
table says "trong số các đơn vị có dữ liệu"; a rank inferred from a list's order says so.
Templates live in ``locales/<lang>.findings.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import polars as pl

from chiso import fmt
from chiso.columns import EVIDENCE_KEYS
from chiso.config import Catalog, Index
from chiso.i18n import label, messages, t
from chiso.metrics import gaps
from chiso.views import percentile

_EPS = 1e-9
# Unit-type words that open an official name and are written in lower case inside a sentence.
_TYPE_WORDS = ("Thành phố", "Thị xã", "Thị trấn", "Huyện", "Quận", "Xã", "Phường", "Đặc khu", "Tỉnh")
# The unit type a name's opening word implies, for rows whose unit_type is empty.
_TYPE_OF_WORD = {
    "Thành phố": "city",
    "Thị xã": "town",
    "Huyện": "district",
    "Quận": "urban_district",
    "Xã": "commune",
    "Phường": "ward",
    "Đặc khu": "special_zone",
}


@dataclass(frozen=True)
class Finding:
    """One sentence and where it comes from.

    ``kind``: rank, change, most_lost, best_peer, unit_is_best, next_rank, next_tier,
    top_three, room, strongest, weakest, contrast, leader, last, peer_mean, climber, faller.
    ``row``: the stored ``ranked`` row the sentence is read from. ``extra_rows``: further
    rows it also uses (the other index of a contrast, the units passed …). ``figures``: the
    derived numbers it states (points lost, points needed …), unrounded. ``note``: the row's
    doubt flag, to show beside the sentence.
    """

    text: str
    kind: str
    row: dict
    extra_rows: tuple[dict, ...] = ()
    figures: dict = field(default_factory=dict)
    note: str = ""


def evidence(finding: Finding) -> dict:
    """The fields of a finding's source row worth showing under it (None where absent)."""
    return {k: finding.row.get(k) for k in EVIDENCE_KEYS}


# ---------- words and numbers ----------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def index_label(index: Index, lang: str) -> str:
    """The index as a report names it: the short name, plus the name's bracketed acronym
    when the short name lacks it ("Chỉ số CCHC (PAR INDEX)", "PAR INDEX", "SIPAS")."""
    short = label(index.short_name, lang)
    match = re.search(r"\(([^()]+)\)\s*$", label(index.name, lang))
    if match and match.group(1) not in short:
        return f"{short} ({match.group(1)})"
    return short


def unit_label(row: dict, lang: str) -> str:
    """The unit inside a sentence: "huyện Đầm Hà", "thành phố Hạ Long", "Sở Nội vụ" (type word
    lower-cased, other names unchanged); in English "Đầm Hà district", "Hạ Long city"."""
    name = row.get("name") or ""
    short = row.get("short_name") or name
    unit_type = row.get("unit_type") or next(
        (code for word, code in _TYPE_OF_WORD.items() if name.startswith(word + " ")), ""
    )
    if lang == "vi":
        for word in _TYPE_WORDS:
            if name.startswith(word + " "):
                name = word.lower() + name[len(word) :]
                break
    key = f"finding.unit.{unit_type}"
    if key in messages(lang):
        return t(key, lang, name=name, short=short)
    return name


def _scale(row: dict, index: Index) -> tuple[str, int]:
    province, group, year = row.get("province") or "", row.get("peer_group") or "", row.get("year")
    declared = index.decimals_for(province, group, year)
    return index.unit_for(province, group, year), fmt.printed_places([row.get("score")], declared)


def _max_text(value: float, lang: str) -> str:
    decimals = 0 if float(value).is_integer() else 1 if float(value * 10).is_integer() else 2
    return fmt.number(value, decimals, lang=lang)


def score_text(row: dict, index: Index, lang: str, value: float | None = None) -> str:
    """A score with its unit and scale: "91,24 điểm" (out of 100), "28,81/30 điểm",
    "72,74/80 điểm", "99,38 %", "0,7350 điểm (0–1)" ("0.7350 (0–1 scale)" in English); a
    component whose maximum is not the index's shows it: "7,16/10 điểm", "0,2637/0,4 điểm".
    ``value`` defaults to the row's score; the scale is the row's ``max_score``."""
    value = row.get("score") if value is None else value
    unit_text, decimals = _scale(row, index)
    unit = label(unit_text, lang).strip()
    if unit == "%":
        return fmt.percent(value, decimals, lang=lang)
    number = fmt.number(value, decimals, lang=lang)
    top = row.get("max_score")
    province, group, year = row.get("province") or "", row.get("peer_group") or "", row.get("year")
    index_top = index.max_for(province, group, year, None) if year is not None else index.max_score
    if (
        top is not None
        and (abs(float(top) - 100) > _EPS)
        and ("(" not in unit or abs(top - index_top) > _EPS)
    ):
        mark = ""
        if row.get("component") is None and year is not None and index.inferred_max(province, group, year):
            mark = f" ({t('inferred.max', lang)})"
        return f"{number}/{_max_text(top, lang)} {_points_word(row, index, lang)}".rstrip() + mark
    scaled = re.fullmatch(r"score \((.+)\)", unit)
    if scaled:  # English "score (0–1)": "0.7350 (0–1 scale)"
        return f"{number} ({scaled.group(1)} scale)"
    return f"{number} {unit}"


def _points_word(row: dict, index: Index, lang: str) -> str:
    unit_text, _ = _scale(row, index)
    unit = label(unit_text, lang)
    if unit.strip() == "%":
        return t("finding.percentage_points", lang)
    word = re.sub(r"\s*\(.*\)\s*$", "", unit)
    return "" if word == "score" else word  # English "score (0–1)": a bare number reads best


def amount_text(delta: float, row: dict, index: Index, lang: str, *, signed: bool = False) -> str:
    """A difference in points with its word: "4,54 điểm", "1,20 điểm phần trăm" for a % index;
    ``signed`` gives "−3,32 điểm"."""
    _, decimals = _scale(row, index)
    number = fmt.signed(delta, decimals, lang=lang) if signed else fmt.number(abs(delta), decimals, lang=lang)
    word = _points_word(row, index, lang)
    if lang == "en" and number.lstrip("+−-") == "1":  # a whole point: "1 point", not "1 points"
        word = re.sub(r"points$", "point", word)
    return f"{number} {word}".rstrip()


def inferred_scale(row: dict, index: Index, lang: str) -> str:
    """'; thang điểm suy luận' after a component's figure read on maxima the project deduced."""
    province, group, year = row.get("province") or "", row.get("peer_group") or "", row.get("year")
    if year is None or not gaps.component_max_inferred(index, province, group, year):
        return ""
    return f"; {t('inferred.max', lang)}"


def rank_text(rank: int | None, rank_of: int | None) -> str:
    """ "3/13", or "3" when the number of units ranked is unknown."""
    if rank is None:
        return fmt.EMPTY
    return fmt.rank(rank, rank_of) if rank_of else str(rank)


def basis_text(basis: str | None, lang: str) -> str:
    """ " (trong số các đơn vị có dữ liệu)" for a rank among an incomplete table's units,
    " (theo thứ tự liệt kê trong nguồn)" for a rank read from a list's order, else ""."""
    return t(f"finding.basis.{basis}", lang) if basis in ("partial", "list_order") else ""


def _places(n: int, lang: str) -> str:
    return t("finding.places_one" if abs(n) == 1 else "finding.places", lang, n=abs(n))


def _join(names: list[str], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + t("finding.and", lang) + names[-1]


def _finding(text: str, kind: str, row: dict, lang: str = "vi", **extra) -> Finding:
    """A sentence with the doubt flag of its row; a change's also with the flag of the row the
    year before it is computed from (``prev_flag``)."""
    notes = [str(row.get("flag") or "")]
    if kind in ("change", "climber", "faller") and row.get("prev_flag"):
        notes.append(t("rank.prev_flag", lang, year=row["year"] - 1, flag=row["prev_flag"]).lstrip("⚑ "))
    return Finding(_cap(text), kind, row, note="; ".join(n for n in notes if n), **extra)


# ---------- one row ----------


def rank_finding(row: dict, index: Index, lang: str) -> Finding | None:
    """ "Năm 2021, huyện Đầm Hà xếp thứ 3/13 (phân vị 83) về Chỉ số CCHC (PAR INDEX) với 91,24 điểm." from a
    total (or component) row; without a score the sentence has no score, without a rank it
    states the score only; None when the row has neither."""
    score, rank = row.get("score"), row.get("rank")
    if score is None and rank is None:
        return None
    values = {"year": row["year"], "unit": unit_label(row, lang), "index": index_label(index, lang)}
    if rank is None:
        text = t("finding.score_only", lang, score=score_text(row, index, lang), **values)
    else:
        values |= {
            "rank": rank_text(rank, row.get("rank_of")),
            "basis": percentile.sentence_basis(row, basis_text(row.get("rank_basis"), lang), lang),
        }
        if score is None:
            text = t("finding.rank_only", lang, **values)
        else:
            text = t("finding.rank", lang, score=score_text(row, index, lang), **values)
    return _finding(text, "rank", row)


def change_finding(row: dict, index: Index, lang: str) -> Finding | None:
    """ "Về Chỉ số CCHC (PAR INDEX), huyện Đầm Hà tăng 4,54 điểm và 2 bậc so với năm trước."
    from the row's ``d_score`` / ``d_rank`` (change from the previous calendar year); None
    when the previous year is not in the data."""
    d_score, d_rank = row.get("d_score"), row.get("d_rank")
    if d_score is None and d_rank is None:
        return None
    _, decimals = _scale(row, index)
    if d_score is None:
        s = "none"
    else:
        rounded = fmt.round_half_up(d_score, decimals)
        s = "up" if rounded > 0 else "down" if rounded < 0 else "same"
    r = "none" if d_rank is None else "up" if d_rank > 0 else "down" if d_rank < 0 else "same"
    text = t(
        f"finding.change.{s}_{r}",
        lang,
        index=index_label(index, lang),
        unit=unit_label(row, lang),
        points="" if d_score is None else amount_text(d_score, row, index, lang),
        places="" if d_rank is None else _places(int(d_rank), lang),
    )
    return _finding(text, "change", row, lang, figures={"d_score": d_score, "d_rank": d_rank})


# ---------- one table ----------


def _row_of(rows: pl.DataFrame, unit_id: str, component: str | None) -> dict | None:
    found = rows.filter(
        (pl.col("unit_id") == unit_id)
        & (pl.col("component").is_null() if component is None else pl.col("component") == component)
    )
    return found.row(0, named=True) if found.height else None


def _names_for(rows: pl.DataFrame, index: Index, lang: str) -> dict[str, str]:
    if rows.is_empty():
        return {}
    first = rows.row(0, named=True)
    return gaps.component_names(index, first["province"] or "", first["peer_group"], first["year"], lang)


def components_scored(table_rows: pl.DataFrame, component: str) -> int:
    """How many units in the data have a score on the component."""
    return table_rows.filter((pl.col("component") == component) & pl.col("score").is_not_null()).height


def gap_findings(
    table_rows: pl.DataFrame,
    unit_id: str,
    index: Index,
    lang: str,
    names: dict[str, str] | None = None,
) -> list[Finding]:
    """The component that loses the most points, and who does best on it:
    "Thành phần mất nhiều điểm nhất của PCI: Dịch vụ hỗ trợ doanh nghiệp (−3,32 điểm)."
    "Tốt nhất ở thành phần Dịch vụ hỗ trợ doanh nghiệp (trong số các đơn vị có dữ liệu) là
    Long An với 7,16/10 điểm, hơn Quảng Ninh 0,48 điểm."

    ``table_rows``: one ranked table (``analysis_queries.table_rows``); with only the unit's
    own rows the best-peer sentence is left out. ``names``: component code -> name, else
    read from the config. Empty when the unit has no component scores.
    """
    if not gaps.scored_completely(table_rows, unit_id, index):
        return []  # one component known out of several (or one alone) is no comparison
    names = names if names is not None else _names_for(table_rows, index, lang)
    frame = gaps.component_gaps(table_rows, unit_id, names, higher_is_better=index.higher_is_better)
    frame = frame.filter(pl.col("points_lost").is_not_null() & (pl.col("points_lost") > _EPS))
    if frame.is_empty():
        return []
    top = frame.row(0, named=True)
    row = _row_of(table_rows, unit_id, top["component"]) or {}
    lost = amount_text(-top["points_lost"], row, index, lang, signed=True)
    found = [
        _finding(
            t(
                "finding.most_lost",
                lang,
                index=index_label(index, lang),
                component=top["name"],
                lost=lost,
                mark=inferred_scale(row, index, lang),
            ),
            "most_lost",
            row,
            figures={k: top[k] for k in ("component", "score", "max_score", "points_lost")},
        )
    ]
    if components_scored(table_rows, top["component"]) < 2:
        return found
    basis = "" if row.get("complete") else basis_text("partial", lang)
    if (top["gap_to_best"] or 0) > _EPS:
        best_ids = table_rows.filter(
            (pl.col("component") == top["component"]) & (pl.col("score") == top["best_score"])
        )
        best_row = best_ids.sort("name").row(0, named=True)
        text = t(
            "finding.best_peer_many" if best_ids.height > 1 else "finding.best_peer",
            lang,
            component=top["name"],
            basis=basis,
            best=_join([unit_label(r, lang) for r in best_ids.sort("name").iter_rows(named=True)], lang),
            best_score=score_text(best_row, index, lang),
            unit=unit_label(row, lang),
            gap=amount_text(top["gap_to_best"], row, index, lang),
        )
        found.append(
            _finding(
                text,
                "best_peer",
                best_row,
                extra_rows=(row,),
                figures={"best_score": top["best_score"], "gap_to_best": top["gap_to_best"]},
            )
        )
    else:
        text = t(
            "finding.unit_is_best",
            lang,
            component=top["name"],
            unit=unit_label(row, lang),
            score=score_text(row, index, lang),
        )
        found.append(_finding(text, "unit_is_best", row))
    return found


def what_it_takes_findings(
    table_rows: pl.DataFrame,
    unit_id: str,
    index: Index,
    lang: str,
    names: dict[str, str] | None = None,
) -> list[Finding]:
    """Sentences from :func:`chiso.gaps.what_it_takes`: points to the next rank, to the next
    tier and to the top 3, and the components with the most room. Tiers and decimals come
    from the config for the unit's table."""
    row = _row_of(table_rows, unit_id, None)
    if row is None or row.get("score") is None:
        return []
    province, group, year = row["province"] or "", row["peer_group"], row["year"]
    tiers = index.tiers_for(province, group, year)
    decimals = index.decimals_for(province, group, year)
    wit = gaps.what_it_takes(
        table_rows, unit_id, tiers, higher_is_better=index.higher_is_better, decimals=decimals
    )
    who, idx = unit_label(row, lang), index_label(index, lang)
    found = _next_rank_finding(wit.next_rank, table_rows, row, index, lang)
    tier = wit.next_tier
    if tier:
        text = t(
            "finding.next_tier",
            lang,
            tier=(tier.name_vi if lang == "vi" else tier.name_en)
            + (f" ({t('inferred.mark', lang)})" if tier.inferred else ""),
            index=idx,
            min_pct=fmt.percent(tier.min_pct, 0 if float(tier.min_pct).is_integer() else 1, lang=lang),
            min_score=score_text(row, index, lang, value=tier.min_score),
            unit=who,
            points=amount_text(tier.points, row, index, lang),
        )
        found.append(_finding(text, "next_tier", row, figures=asdict(tier)))
    top3 = wit.top3
    if top3:
        text = t(
            "finding.top_three",
            lang,
            index=idx,
            unit=who,
            points=amount_text(top3.points, row, index, lang),
        )
        found.append(_finding(text, "top_three", row, figures=asdict(top3)))
    if wit.room and gaps.scored_completely(table_rows, unit_id, index):
        found.append(_room_finding(wit.room, table_rows, unit_id, row, index, lang, names))
    return found


def _next_rank_finding(nxt, table_rows: pl.DataFrame, row: dict, index: Index, lang: str) -> list[Finding]:
    """'To reach rank n …': the points to pass the units just above (none when already first)."""
    if not nxt:
        return []
    if nxt.stored_rank is not None and row.get("rank_basis") != "partial":
        rank, basis = nxt.stored_rank, basis_text(row.get("rank_basis"), lang)
    else:
        rank, basis = nxt.rank, basis_text("partial", lang)
    passed = table_rows.filter(pl.col("component").is_null() & pl.col("unit_id").is_in(nxt.passes_ids))
    text = t(
        "finding.next_rank",
        lang,
        rank=rank,
        basis=basis,
        index=index_label(index, lang),
        unit=unit_label(row, lang),
        points=amount_text(nxt.points, row, index, lang),
        names=_join([unit_label(r, lang) for r in passed.sort("name").iter_rows(named=True)], lang),
    )
    extra = tuple(passed.iter_rows(named=True))
    return [_finding(text, "next_rank", row, extra_rows=extra, figures=asdict(nxt))]


def _room_finding(room, table_rows, unit_id: str, row: dict, index: Index, lang: str, names) -> Finding:
    """The components with the most room, with the points each lost."""
    names = names if names is not None else _names_for(table_rows, index, lang)
    items = []
    comp_rows = []
    for item in room:
        comp_row = _row_of(table_rows, unit_id, item.component) or row
        comp_rows.append(comp_row)
        lost = amount_text(-item.points_lost, comp_row, index, lang, signed=True)
        items.append(f"{names.get(item.component, item.component)} ({lost})")
    text = t(
        "finding.room",
        lang,
        index=index_label(index, lang),
        items="; ".join(items),
        mark=inferred_scale(comp_rows[0], index, lang),
    )
    extra = tuple(comp_rows[1:])
    return _finding(text, "room", comp_rows[0], extra_rows=extra, figures={"room": [asdict(i) for i in room]})


def unit_findings(
    table_rows: pl.DataFrame,
    unit_id: str,
    index: Index,
    lang: str,
    names: dict[str, str] | None = None,
) -> list[Finding]:
    """Everything the gaps page says about one unit in one table: its rank, its change from
    the previous year, the component that loses the most points and the best peer on it,
    then what it takes to move up (next rank, next tier, top 3). The ``room`` sentence is
    left out here (it repeats the component losing the most points); call
    :func:`what_it_takes_findings` for it."""
    row = _row_of(table_rows, unit_id, None)
    found: list[Finding] = []
    if row is not None:
        found += [f for f in (rank_finding(row, index, lang), change_finding(row, index, lang)) if f]
    found += gap_findings(table_rows, unit_id, index, lang, names)
    found += [f for f in what_it_takes_findings(table_rows, unit_id, index, lang, names) if f.kind != "room"]
    return found


def ranking_findings(ranking: pl.DataFrame, index: Index, lang: str) -> list[Finding]:
    """Sentences above a rankings table (``queries.ranking`` rows of one total table): the
    leader(s), the last unit when the table is complete, the mean of the scored units in the
    data, and the biggest climber and faller from the previous year."""
    rows = ranking.filter(pl.col("component").is_null()) if "component" in ranking.columns else ranking
    if rows.is_empty():
        return []
    first = rows.row(0, named=True)
    idx, year = index_label(index, lang), first["year"]
    found: list[Finding] = []
    leaders = rows.filter(pl.col("rank") == 1).sort("name")
    if leaders.height:
        lead = leaders.row(0, named=True)
        units = _join([unit_label(r, lang) for r in leaders.iter_rows(named=True)], lang)
        if lead["score"] is None:
            text = t("finding.leader_only", lang, year=year, index=idx, units=units)
        else:
            text = t(
                "finding.leader", lang, year=year, index=idx, units=units, score=score_text(lead, index, lang)
            )
        found.append(_finding(text, "leader", lead, extra_rows=tuple(leaders.iter_rows(named=True))[1:]))
    scored = rows.filter(pl.col("score").is_not_null())
    if scored.height >= 2 and bool(rows.get_column("complete").all()):
        worst_rank = scored.get_column("rank").max()
        lasts = scored.filter(pl.col("rank") == worst_rank).sort("name")
        last = lasts.row(0, named=True)
        text = t(
            "finding.last",
            lang,
            index=idx,
            year=year,
            units=_join([unit_label(r, lang) for r in lasts.iter_rows(named=True)], lang),
            score=score_text(last, index, lang),
        )
        found.append(_finding(text, "last", last))
    if scored.height >= 2 and first.get("peer_mean") is not None:
        text = t(
            "finding.peer_mean",
            lang,
            index=idx,
            year=year,
            n=scored.height,
            score=score_text(first, index, lang, value=first["peer_mean"]),
        )
        found.append(_finding(text, "peer_mean", first, figures={"peer_mean": first["peer_mean"]}))
    moved = rows.filter(pl.col("d_rank").is_not_null())
    if moved.height >= 2:  # "the biggest climber" of one unit compares it with nobody
        best, worst = moved.get_column("d_rank").max(), moved.get_column("d_rank").min()
        ups = moved.filter(pl.col("d_rank") == best).sort("name")  # a tie names every unit in it
        downs = moved.filter(pl.col("d_rank") == worst).sort("name")
        # the biggest move among all N only when every unit of a complete table has one; else
        # among the units with a comparable rank in both years, and said so (PCI 2024: 6 of 63)
        partial = moved.height < rows.height or not bool(rows.get_column("complete").all())
        for kind, tied, sign in (("climber", ups, 1), ("faller", downs, -1)):  # best gain; worst
            row = tied.row(0, named=True)
            if row["d_rank"] * sign > 0:
                places = _places(row["d_rank"], lang)
                key = f"finding.{kind}_among" if partial else f"finding.{kind}"
                units = _join([unit_label(r, lang) for r in tied.iter_rows(named=True)], lang)
                text = t(key, lang, index=idx, unit=units, places=places, n=moved.height)
                found.append(
                    _finding(text, kind, row, lang, extra_rows=tuple(tied.iter_rows(named=True))[1:])
                )
    return found


# ---------- one unit, every index ----------


def _most_lost_finding(top: dict, total: dict, index: Index, lang: str) -> Finding:
    """What :func:`gap_findings` says first about the unit's own rows of one index and year, from
    the component row :func:`gaps.most_lost` picked (``total``: the index total row that year)."""
    lost_points = top.pop("points_lost")
    names = gaps.component_names(index, total["province"] or "", total["peer_group"], total["year"], lang)
    text = t(
        "finding.most_lost",
        lang,
        index=index_label(index, lang),
        component=names.get(top["component"], top["component"]),
        lost=amount_text(-lost_points, top, index, lang, signed=True),
        mark=inferred_scale(top, index, lang),
    )
    figures = {"component": top["component"], "score": top["score"], "max_score": top["max_score"]}
    return _finding(text, "most_lost", top, figures=figures | {"points_lost": lost_points})


def profile_findings(
    unit_rows: pl.DataFrame,
    catalog: Catalog,
    lang: str,
    year: int | None = None,
    profile: pl.DataFrame | None = None,
    complete: pl.DataFrame | None = None,
) -> list[Finding]:
    """Everything the profile says about one unit (``analysis_queries.unit_rows``): per index
    (config order) its rank sentence, its change and its component losing the most points;
    then its strongest and weakest components across indices, and a contrast when its
    percentiles on two indices are far apart. ``year``: that year only; None: each index's
    latest year with data. ``profile``: ``gaps.profile(unit_rows, year, catalog.codes)`` when the
    caller has it; ``complete``: ``gaps.scored_tables(unit_rows, year, catalog)`` likewise."""
    profile = gaps.profile(unit_rows, year, catalog.codes) if profile is None else profile
    complete = gaps.scored_tables(unit_rows, year, catalog) if complete is None else complete
    lost, twice = gaps.most_lost(unit_rows, profile, catalog, complete)
    tops = {r["index_code"]: r for r in lost.iter_rows(named=True)}
    found: list[Finding] = []
    for row in profile.iter_rows(named=True):
        index = catalog.index(row["index_code"])
        found += [f for f in (rank_finding(row, index, lang), change_finding(row, index, lang)) if f]
        if row["index_code"] in twice:  # a component twice in a year: the table's own rule
            own = unit_rows.filter(
                (pl.col("index_code") == row["index_code"]) & (pl.col("year") == row["year"])
            )
            found += [f for f in gap_findings(own, row["unit_id"], index, lang) if f.kind == "most_lost"]
        elif row["index_code"] in tops:
            found.append(_most_lost_finding(tops[row["index_code"]], row, index, lang))
    extremes = gaps.component_extremes(unit_rows, year, n=1, catalog=catalog, complete=complete)
    if extremes.height >= 2:
        for comp in extremes.iter_rows(named=True):
            index = catalog.index(comp["index_code"])
            names = gaps.component_names(
                index, comp["province"] or "", comp["peer_group"], comp["year"], lang
            )
            text = t(
                f"finding.{comp['kind']}",
                lang,
                component=names.get(comp["component"], comp["component"]),
                index=index_label(index, lang),
                year=comp["year"],
                pct=fmt.percent(comp["pct_of_max"], lang=lang),
                mark=inferred_scale(comp, index, lang),
            )
            found.append(_finding(text, comp["kind"], comp))
    pair = gaps.contrast(profile)
    if pair:
        high, low = pair
        text = t(
            "finding.contrast",
            lang,
            unit=unit_label(low, lang),
            high_pct=fmt.number(high["percentile"], 0, lang=lang),
            high_index=index_label(catalog.index(high["index_code"]), lang),
            low_pct=fmt.number(low["percentile"], 0, lang=lang),
            low_index=index_label(catalog.index(low["index_code"]), lang),
        )
        found.append(_finding(text, "contrast", low, extra_rows=(high,)))
    return found


def profile_report(
    unit_rows: pl.DataFrame,
    catalog: Catalog,
    lang: str,
    year: int | None = None,
    complete: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, list[Finding]]:
    """The profile as both the Profile page and ``chiso profile`` show it: the per-index rows
    and the sentences. When the unit has no index total that year the profile is empty and
    there are no sentences, so the page's "no data" and the CLI's message agree."""
    profile = gaps.profile(unit_rows, year, catalog.codes)
    if profile.is_empty():
        return profile, []
    return profile, profile_findings(unit_rows, catalog, lang, year, profile, complete)


def finding_line(finding: Finding, lang: str) -> str:
    """The sentence as printed (terminal) and shown (page): its doubt flag, when any, beside it."""
    if not finding.note:
        return finding.text
    return f"{finding.text} (⚑ {t('findings.flag', lang)}: {finding.note})"


def finding_sources(found: list[Finding]) -> list[tuple[str, str]]:
    """(title, url) of the rows the sentences are read from, each source once, in order."""
    seen: dict[tuple[str, str], None] = {}
    for finding in found:
        for row in (finding.row, *finding.extra_rows):
            title = row.get("source_title") or ""
            if title:
                seen.setdefault((title, row.get("source_url") or ""), None)
    return list(seen)
