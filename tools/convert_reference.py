"""One-off conversion of ``shared/reference/*.csv`` into the project's own data files.

Run: ``.venv/bin/python tools/convert_reference.py [REFERENCE_DIR]``. It rewrites
``data/units.csv``, ``data/scores/published.csv``, ``data/averages.csv`` and
``data/one_stop/{counts,rates}.csv``. Every value keeps its source and quote; the
mapping decisions (index codes, unit types, official names) are written out below so
that a reviewer can check each one. Administrative codes come from the
``vietnamadminunits`` registry (legacy districts, late-2024 snapshot) when installed.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from chiso.demo.province import write_rows  # noqa: E402
from chiso.names import fold  # noqa: E402

REF = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference"
DATA = ROOT / "data"

PROVINCES = {"TP.HCM": "Hồ Chí Minh"}
PROVINCE_ALIASES = {"Hồ Chí Minh": ["TP.HCM", "TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "HCMC"]}

UNIT_TYPES = {
    "city (district-level)": "city",
    "district": "district",
    "district (merged into Hạ Long 2019)": "district",
    "town (thị xã)": "town",
    "urban district (quận)": "urban_district",
    "department": "department",
    "department/central agency": "department",
    "central agency": "central_agency",
    "commune": "commune",
    "province": "province",
    "ministry": "ministry",
    "city": "city",
    "commune-average": "city",  # Hạ Long's average over its communes: a value of the city
}
PREFIX = {
    "city": "Thành phố",
    "district": "Huyện",
    "town": "Thị xã",
    "urban_district": "Quận",
    "commune": "Xã",
}
SHORT_PREFIX = {"city": "TP", "town": "TX", "district": "H.", "urban_district": "Q."}

# Official names of units printed in short form by the sources (the printed form becomes an alias).
OFFICIAL = {
    "Sở Lao động - TB&XH": "Sở Lao động - Thương binh và Xã hội",
    "Sở Nông nghiệp và PTNT": "Sở Nông nghiệp và Phát triển nông thôn",
    "Ban Quản lý các KCN": "Ban Quản lý các Khu công nghiệp",
    "Văn phòng UBND tỉnh": "Văn phòng Ủy ban nhân dân tỉnh",
    "Ban QL Khu CNC và các KCN": "Ban Quản lý Khu công nghệ cao và các Khu công nghiệp",
    "Ban Quản lý các KCX và CN": "Ban Quản lý các Khu chế xuất và công nghiệp",
    "Bảo hiểm Xã hội TP": "Bảo hiểm Xã hội thành phố",
    "Kho bạc Nhà nước tỉnh": "Kho bạc Nhà nước tỉnh",
}
EXTRA_ALIASES = {
    "Sở Lao động - Thương binh và Xã hội": ["Sở LĐ-TB&XH", "Sở Lao động - TB&XH"],
    "Ban Quản lý Khu kinh tế": ["Ban Quản lý Khu kinh tế tỉnh"],
}
# Units ranked in a block other than their type's default one.
PEER_GROUP_OVERRIDE = {("Quảng Ninh", "Kho bạc Nhà nước tỉnh"): "central_agencies"}
MERGED = {("Quảng Ninh", "Hoành Bồ"): (2019, "Thành phố Hạ Long")}

# Reference index labels -> (index code, component code or "", kind); kind "avg"/"median" = published stats.
INDEX_MAP = {
    "PAR_INDEX": ("PAR", ""),
    "SIPAS": ("SIPAS", ""),
    "DDCI": ("DDCI", ""),
    "DTI": ("DTI", ""),
    "DTI(commune-level)": ("DTI", ""),
    "DTI.commune_avg": ("DTI_XA", ""),
    "DGI": ("DGI", ""),
    "DGI.survey": ("DGI", ""),
    "ICT_INDEX": ("DTI", ""),
    "PAPI": ("PAPI", ""),
    "PCI": ("PCI", ""),
    "PAR.tham_dinh(appraisal)": ("PAR", "diem_tham_dinh"),
    "PAR.SIPAS": ("PAR", "chi_so_hai_long"),
    "PAR.survey_leaders_managers": ("PAR", "khao_sat_lanh_dao_quan_ly"),
    "PAR.socioeconomic_impact": ("PAR", "tac_dong_phat_trien_kt_xh"),
    "DDCI.corporate_governance(business community)": ("DDCI", "quan_tri_doanh_nghiep"),
    "DDCI.social_responsibility(business community)": ("DDCI", "trach_nhiem_xa_hoi"),
    "DDCI.innovation_management(business community)": ("DDCI", "quan_ly_doi_moi_sang_tao"),
    "DDCI(avg component score, 10-pt)": ("DDCI", "binh_quan_thanh_phan"),
}
PAPI_COMPONENTS = {
    "participation": "tham_gia_cua_nguoi_dan",
    "transparency": "cong_khai_minh_bach",
    "accountability": "trach_nhiem_giai_trinh",
    "control_of_corruption": "kiem_soat_tham_nhung",
    "public_admin_procedures": "thu_tuc_hanh_chinh_cong",
    "public_service_delivery": "cung_ung_dich_vu_cong",
    "environmental_governance": "quan_tri_moi_truong",
    "e_governance": "quan_tri_dien_tu",
}
PCI_COMPONENTS = {
    "entry_costs": "chi_phi_gia_nhap_thi_truong",
    "land_access": "tiep_can_dat_dai",
    "transparency": "tinh_minh_bach",
    "time_costs": "chi_phi_thoi_gian",
    "informal_charges": "chi_phi_khong_chinh_thuc",
    "policy_bias": "canh_tranh_binh_dang",
    "proactivity": "tinh_nang_dong",
    "business_support": "dich_vu_ho_tro_doanh_nghiep",
    "labor_policy": "dao_tao_lao_dong",
    "law_and_order": "thiet_che_phap_ly",
}
STAT_GROUP = {
    "avg provinces": ("provinces", "mean"),
    "internal avg": ("all", "mean"),
    "internal avg, %": ("localities", "mean"),
    "avg localities": ("localities", "mean"),
    "avg districts": ("localities", "mean"),
    "avg departments": ("departments", "mean"),
    "median departments": ("departments", "median"),
}
# Values the reference itself calls doubtful (indices.md §10) and other notes kept with the row.
FLAGS = {
    (
        "Quảng Ninh",
        "Vân Đồn",
        "DDCI",
        "2020",
    ): "Nghi lỗi in: 24,22 thấp bất thường so với các địa phương khác",
    ("Quảng Ninh", "Hạ Long", "DDCI", "2022"): "Bản tiếng Pháp in 70,8; dùng 70,08 theo bản tiếng Việt",
    (
        "Hòa Bình",
        "Hòa Bình",
        "PAR",
        "2023",
    ): "Một bài báo in 86,89 (các phần cộng lại 87,89); dùng 86,76 theo hai bài khác",
    ("Quảng Ninh", "Đầm Hà", "PAR", "2021"): "Chỉ một bản tin nêu, chưa có nguồn thứ hai",
    ("Quảng Ninh", "Đầm Hà", "SIPAS", "2021"): "Chỉ một bản tin nêu; thang 30 điểm là suy luận",
    ("Quảng Ninh", "Đầm Hà", "DGI", "2021"): "Điểm điều tra xã hội học DGI; chỉ một bản tin nêu",
    # published_scores_2026.md: news.gov.vn prints 48.811 where the reference's source prints 48.881.
    (
        "Quảng Ninh",
        "Quảng Ninh",
        "PAPI",
        "2020",
    ): "Hai nguồn khác nhau: 48,881 (TTXVN) và 48,811 (news.gov.vn)",
}


def _code_lookup():
    try:
        from vietnamadminunits import parse_address
    except ImportError:  # the registry is optional: codes stay empty without it
        return lambda province, short: ""

    def lookup(province: str, short: str) -> str:
        try:
            found = parse_address(f"{short}, {province}", mode="LEGACY", level=2)
        except Exception:
            return ""
        same = found.short_district and fold(found.short_district) == fold(short)
        return str(found.district_code) if same else ""

    return lookup


def _province_code_lookup():
    try:
        from vietnamadminunits import parse_address
    except ImportError:
        return lambda province: ""

    def lookup(province: str) -> str:
        try:
            found = parse_address(province, mode="LEGACY", level=1)
        except Exception:
            return ""
        same = found.short_province and fold(found.short_province) == fold(province)
        return str(found.province_code) if same else ""

    return lookup


def short_of(printed: str) -> str:
    printed = re.sub(r"\s*\(.*\)$", "", printed).strip()
    return re.sub(r"^(TP\.?|TX|Quận|xã|Xã)\s+", "", printed).strip()


def unit_record(province: str, printed: str, ref_type: str) -> dict:
    unit_type = UNIT_TYPES[ref_type]
    aliases: list[str] = []
    if unit_type in PREFIX:
        short = short_of(printed)
        name = f"{PREFIX[unit_type]} {short}"
        if unit_type in SHORT_PREFIX:
            aliases.append(f"{SHORT_PREFIX[unit_type]} {short}")
    elif unit_type == "province":
        short = printed
        name = printed
        aliases += PROVINCE_ALIASES.get(printed, [])
    else:
        name = OFFICIAL.get(printed, printed)
        short = name
    if printed not in (name, short) and "(" not in printed:
        aliases.append(printed)
    aliases += EXTRA_ALIASES.get(name, [])
    valid_to, successor = MERGED.get((province, short), (None, ""))
    if valid_to is None and unit_type in ("city", "district", "town", "urban_district"):
        valid_to = 2025  # district level abolished on 1 July 2025 (Law 72/2025/QH15)
    return {
        "province": province,
        "name": name,
        "short_name": short,
        "unit_type": unit_type,
        "code": "",
        "valid_from": "",
        "valid_to": valid_to or "",
        "successor": successor,
        "peer_group": PEER_GROUP_OVERRIDE.get((province, name), ""),
        "aliases": " | ".join(dict.fromkeys(a for a in aliases if a)),
    }


def map_index(label: str) -> tuple[str, str] | tuple[str, str, str, str]:
    if label in INDEX_MAP:
        return INDEX_MAP[label]
    match = re.fullmatch(r"(PAPI|PCI)\.(\w+)", label)
    if match:
        table = PAPI_COMPONENTS if match[1] == "PAPI" else PCI_COMPONENTS
        return match[1], table[match[2]]
    match = re.fullmatch(r"(\w+?)(?:_INDEX)?\((.+)\)", label)
    if match:
        group, stat = STAT_GROUP[match[2]]
        return match[1], "", group, stat
    raise KeyError(label)


# DGI's published figure for Đầm Hà 2021 is the sociological-survey part, not the DGI total: the
# rank (7/13) belongs to the total, the score to the survey component.
SURVEY_COMPONENTS = {"DGI.survey": "dieu_tra_xa_hoi_hoc"}
PRINTED_PCT = re.compile(r"(\d+,\d+)(?:/\d+)? \((\d+,\d+) ?%\)")
PRINTED_CHANGE = re.compile(r"([+\-−]\d+,\d+) so với (\d{4})")
PRINTED_QUALIFIED = re.compile(r"\b((?:trên|dưới|gần|khoảng) \d+(?:,\d+)?) ?%")


def printed_figures(score: str, quote: str) -> tuple[str, str]:
    """(printed, printed_change) as the source prints them, read from the quote: the percentage
    printed beside the score ("28,81/30 (96,04%)" -> "96,04 %"), a qualified value
    ("trên 89,9%" -> "trên 89,9 %") and a printed change ("+4,54 so với 2020"). Empty when none."""
    printed = ""
    vi_score = score.replace(".", ",") if score else ""
    for number, pct in PRINTED_PCT.findall(quote):
        if vi_score and number == vi_score:
            printed = f"{pct} %"
    qualified = PRINTED_QUALIFIED.search(quote)
    if not printed and qualified:
        printed = f"{qualified.group(1)} %"
    change = PRINTED_CHANGE.search(quote)
    return printed, (f"{change.group(1)} so với {change.group(2)}" if change else "")


# The tiers the PCI portal prints after a province's score and rank ("73.02 1 Rất tốt"), longest
# first so that "Tương đối thấp" is not read as "Thấp". A tier is written only where a quote prints it.
PRINTED_TIERS = ("Tương đối thấp", "Trung bình", "Rất tốt", "Tốt", "Khá", "Thấp")
PRINTED_TIER = re.compile(r"(\d+[.,]\d+) (\d+) (" + "|".join(PRINTED_TIERS) + r")(?!\w)")


def printed_tier(score: str, rank: str, component: str, quote: str) -> str:
    """The tier a quote prints right after the row's own score and rank ("73.4 1 Rất tốt" ->
    "Rất tốt"); empty for a component (tiers are the total's) or when the quote prints none."""
    if component or not score or not rank:
        return ""
    for number, printed_rank, tier in PRINTED_TIER.findall(quote):
        if abs(float(number.replace(",", ".")) - float(score)) < 1e-9 and printed_rank == rank:
            return tier
    return ""


def stat_record(row: dict, place: str, group: str, index: str, component: str, stat: str) -> dict:
    """A published average or median (a row of published_stats.csv) from a reference row."""
    return {
        "province": place,
        "peer_group": group,
        "index": index,
        "component": component,
        "year": row["year"],
        "stat": stat,
        "value": row["score"],
        "max_score": row["max_score"],
        "source_title": row["source_title"],
        "source_url": row["source_url"],
        "quote": row["quote"],
    }


def survey_total(row: dict) -> dict:
    """The DGI total row a survey figure implies: its published rank, no score."""
    return {
        **row,
        "component": "",
        "score": "",
        "max_score": "",
        "printed": "",
        "printed_change": "",
        "printed_tier": "",
    }


def convert_scores() -> None:
    rows = list(csv.DictReader((REF / "published_scores.csv").open(encoding="utf-8")))
    code_of, province_code_of = _code_lookup(), _province_code_lookup()
    units: dict[tuple[str, str], dict] = {}
    scores, stats = [], []
    for row in rows:
        province = PROVINCES.get(row["province"], row["province"])
        mapped = map_index(row["index"])
        if len(mapped) == 4:
            index, component, group, stat = mapped
            place = "" if province == "Toàn quốc" else province
            stats.append(stat_record(row, place, group, index, component, stat))
            continue
        index, component = mapped
        survey = SURVEY_COMPONENTS.get(row["index"], "")
        if survey:
            component = survey
        if row["unit_type"] == "ministry":
            province = ""
        record = unit_record(province, row["unit"], row["unit_type"])
        key = (record["province"], record["name"])
        if key not in units:
            if record["unit_type"] == "province":
                record["code"] = province_code_of(record["name"])
            elif record["unit_type"] in PREFIX and record["unit_type"] != "commune":
                record["code"] = code_of(province, record["short_name"])
            units[key] = record
        rank, rank_basis, note = row["rank"], "published", ""
        if "[rank = order listed]" in row["quote"]:
            rank_basis = "list_order"
        if rank == "last":
            rank, note = "", "Nguồn ghi 'cuối bảng' nhưng không nêu tổng số đơn vị"
        rank_of = row["rank_of"]
        # SIPAS 2022 of Hòa Bình's departments comes from the same decision table as PAR (all 19).
        if (
            province == "Hòa Bình"
            and index == "SIPAS"
            and row["year"] == "2022"
            and row["unit_type"] == "department"
        ):
            rank_of = "19"
            note = "Bảng đủ 19 sở theo QĐ 3349/QĐ-UBND; nguồn không in thứ hạng SIPAS"
        flag = FLAGS.get((province, record["short_name"], index, row["year"]), "")
        printed, printed_change = printed_figures(row["score"], row["quote"])
        converted = {
            "province": province,
            "unit": record["name"],
            "unit_type": record["unit_type"],
            "index": index,
            "component": component,
            "year": row["year"],
            "score": row["score"],
            # A rank-only row prints no score, so its scale is the config's, not a published figure.
            "max_score": row["max_score"] if row["score"] else "",
            "rank": rank,
            "rank_of": rank_of,
            "source_title": row["source_title"],
            "source_url": row["source_url"],
            "quote": row["quote"],
            "rank_basis": rank_basis if rank else "",
            "flag": "; ".join(x for x in (flag, note) if x),
            "printed": printed,
            "printed_change": printed_change,
            "printed_tier": printed_tier(row["score"], rank, component, row["quote"]),
        }
        if survey:  # the rank is the total's; the survey score is a component without a rank
            scores.append(survey_total(converted))
            converted = {**converted, "rank": "", "rank_of": "", "rank_basis": ""}
        scores.append(converted)
    # Units that appear only in the one-stop counts.
    for row in csv.DictReader((REF / "one_stop_counts.csv").open(encoding="utf-8")):
        record = unit_record(row["province"], row["unit"], row["unit_type"])
        if (row["province"], record["name"]) not in units:
            record["code"] = code_of(row["province"], record["short_name"])
            units[(row["province"], record["name"])] = record
    # Successors must exist as units too (Hoành Bồ -> Thành phố Hạ Long is already there).
    listed = local_units(units)
    write(DATA / "units.csv", sorted(listed, key=lambda u: (u["province"], u["unit_type"], u["name"])))
    write(DATA / "scores" / "published.csv", scores)
    write(DATA / "averages.csv", stats)


def local_units(units: dict[tuple[str, str], dict]) -> list[dict]:
    """The units no registry holds as the data need them: departments, agencies, ministries, units
    with a successor, a peer-group override or a printed alias the national registry does not
    resolve, and successors. The rest resolve from ``vietnamadminunits`` at build time."""
    from chiso.errors import ChisoError
    from chiso.units import Registry

    empty = {k: [] for k in ("unit_id", "province", "name", "short_name", "unit_type", "code")}
    successors = {(u["province"], u["successor"]) for u in units.values() if u["successor"]}

    def held(record: dict) -> bool:
        if record["successor"] or record["peer_group"] or (record["province"], record["name"]) in successors:
            return False
        names = [record["name"], *(a.strip() for a in record["aliases"].split("|") if a.strip())]
        for text in names:
            try:
                found = Registry.from_frames(pl.DataFrame(empty), national=True).resolve(
                    text, province=record["province"] or None, types={record["unit_type"]}
                )
            except ChisoError:
                return False
            if (found.province, found.name) != (record["province"], record["name"]):
                return False
        return True

    return [u for u in units.values() if not held(u)]


def convert_one_stop() -> None:
    rows = list(csv.DictReader((REF / "one_stop_counts.csv").open(encoding="utf-8")))
    counts = [r for r in rows if not r["indicator"].endswith("_pct")]
    rates = [
        {**r, "printed": printed_figures("", r["quote"])[0]} for r in rows if r["indicator"].endswith("_pct")
    ]
    write(DATA / "one_stop" / "counts.csv", counts)
    write(DATA / "one_stop" / "rates.csv", rates)


def write(path: Path, rows: list[dict]) -> None:
    write_rows(path, rows)
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows")


# ---------- published_scores_2026.csv ----------

# Labels only the 2026 file uses (see its .md). The national DTI is the country's own index, neither a
# unit nor an average: it is reported as not written. Provincial PAR areas (PAR.<area> for provinces)
# are parts of the appraisal score, which the provincial variant does not split: not written either.
INDEX_MAP_2026 = {
    "ICT_APPLICATION_EGOV": ("DTI", "ung_dung_cntt_chinh_quyen_dien_tu"),
}
STAT_GROUP_2026 = {
    "avg ministries": ("ministries", "mean"),
    "median districts": ("localities", "median"),
    "avg region": ("provinces", "mean"),
}
UNIT_TYPES_2026 = {"ward": "ward", "special zone": "special_zone"}
# Hải Phòng ranks its 45 wards apart from its 68 communes and special zones (2025).
WARD_BLOCKS = {"Hải Phòng"}
INTERNAL_STATS = {  # Hải Phòng's SIPAS internal averages by block, as the unit label prints them
    "average of all state administrative agencies": "all",
    "average of departments": "departments",
    "average of wards": "wards",
    "average of communes and special zones": "communes",
}
NOTES_2026 = {
    "inferred: the page prints no year": "Năm 2021 do người thu thập suy luận: trang không in năm",
    "MIC e-government/ICT-application ranking": (
        "Xếp hạng ứng dụng CNTT/chính phủ điện tử của Bộ TT&TT; có thể không phải Vietnam ICT Index"
    ),
    "remaining districts cut off": "Nguồn chỉ trích một phần danh sách",
}
FLAGS_2026: dict[tuple[str, str, str, str], str] = {}
# A rank the source gave within a part of the peer group only: kept as a note, not as a rank
# (DTI 2020: first "among the ministries that provide public services", not among all ministries).
SUBGROUP_RANKS = {
    "Trong các cơ quan cấp Bộ có cung cấp dịch vụ công": (
        "Nguồn xếp thứ nhất trong các bộ có cung cấp dịch vụ công, không phải trong mọi bộ:"
        " không ghi thành thứ hạng"
    ),
}


def _registry_unit(province: str, printed: str, year: str):
    """The registry's unit for a printed name (None when no registry holds it)."""
    from chiso.errors import ChisoError
    from chiso.units import Registry

    empty = {k: [] for k in ("unit_id", "province", "name", "short_name", "unit_type", "code")}
    registry = Registry.from_frames(pl.DataFrame(empty), national=True)
    try:
        return registry.resolve(printed, province=province or None, year=int(year))
    except ChisoError:
        return None


def convert_scores_2026() -> None:
    """``published_scores_2026.csv`` -> ``data/scores/published_2026.csv``; its averages are added to
    ``data/averages.csv`` and the departments it names to ``data/units.csv`` (run after convert_scores)."""
    rows = list(csv.DictReader((REF / "published_scores_2026.csv").open(encoding="utf-8")))
    units = {
        (u["province"], u["name"]): u for u in csv.DictReader((DATA / "units.csv").open(encoding="utf-8"))
    }
    stats = list(csv.DictReader((DATA / "averages.csv").open(encoding="utf-8")))
    scores, skipped = [], []
    for row in rows:
        province = PROVINCES.get(row["province"] or "", row["province"] or "")
        label = row["index"]
        if label == "DTI(national)":
            skipped.append((row, "chỉ số quốc gia: không phải đơn vị, không phải số bình quân"))
            continue
        match = re.fullmatch(r"(\w+?)(?:_INDEX)?\((.+)\)", label)
        if match:
            index = match[1]
            if match[2] == "internal avg":
                kind = row["unit"].split("–", 1)[-1].strip()
                group, stat = INTERNAL_STATS[kind], "mean"
            else:
                group, stat = {**STAT_GROUP, **STAT_GROUP_2026}[match[2]]
            place = "" if province == "Toàn quốc" else province
            if match[2] == "avg region":  # a region is no province: its name is kept with "Vùng"
                place = "Vùng " + row["unit"].split("–", 1)[0].strip()
            stats.append(stat_record(row, place, group, index, "", stat))
            continue
        if label.startswith("PAR.") and row["unit_type"] == "province":
            skipped.append((row, "phần điểm lĩnh vực PAR cấp tỉnh: cấu hình không tách điểm thẩm định"))
            continue
        index, component = INDEX_MAP_2026.get(label) or map_index(label)
        ref_type = row["unit_type"]
        unit_type = UNIT_TYPES_2026.get(ref_type) or UNIT_TYPES[ref_type]
        if unit_type == "ministry":
            province = ""
        if unit_type not in ("department", "central_agency", "ministry"):
            found = _registry_unit(province, row["unit"], row["year"])
            if found is None:
                raise KeyError(f"{province}/{row['unit']}: not in the registry")
            name, province, unit_type = found.name, found.province, found.unit_type
            if unit_type == "ward" and province in WARD_BLOCKS:
                units.setdefault(
                    (province, name),
                    {
                        "province": province,
                        "name": name,
                        "short_name": found.short_name,
                        "unit_type": "ward",
                        "code": found.code,
                        "valid_from": "2025",
                        "valid_to": "",
                        "successor": "",
                        "peer_group": "wards",
                        "aliases": "",
                    },
                )
        else:
            record = unit_record(province, row["unit"], ref_type)
            name = record["name"]
            units.setdefault((province, name), record)
        quote = row["quote"]
        rank, rank_basis = row["rank"], "published"
        if "[rank = order listed" in quote:
            rank_basis = "list_order"
        notes = [text for marker, text in {**NOTES_2026, **SUBGROUP_RANKS}.items() if marker in quote]
        if any(marker in quote for marker in SUBGROUP_RANKS):  # first of a part of the peer group
            rank, row = "", {**row, "rank_of": ""}
        flag = FLAGS_2026.get((province, name, index, row["year"]), "")
        scores.append(
            {
                "province": province,
                "unit": name,
                "unit_type": unit_type,
                "index": index,
                "component": component,
                "year": row["year"],
                "score": row["score"],
                "max_score": row["max_score"] if row["score"] else "",
                "rank": rank,
                "rank_of": row["rank_of"],
                "source_title": row["source_title"],
                "source_url": row["source_url"],
                "quote": quote,
                "rank_basis": rank_basis if rank else "",
                "flag": "; ".join(x for x in (flag, *notes) if x),
                "printed_tier": printed_tier(row["score"], rank, component, quote),
            }
        )
    write(
        DATA / "units.csv", sorted(units.values(), key=lambda u: (u["province"], u["unit_type"], u["name"]))
    )
    write(DATA / "scores" / "published_2026.csv", scores)
    write(DATA / "averages.csv", stats)
    for row, why in skipped:
        print(f"  không ghi: {row['province']} / {row['unit']} / {row['index']} {row['year']}: {why}")


if __name__ == "__main__":
    convert_scores()
    convert_one_stop()
    convert_scores_2026()
