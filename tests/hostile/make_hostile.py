"""Write the hostile-input corpus: broken, malicious or merely awkward files a steward could send.

Every file is made by code (nothing binary is stored). ``cases(folder)`` writes them and returns
what each must do: be refused with one message naming where (``fragment`` in it, ``where`` the
line, cell or option it names) or be imported exactly (``scores``: the values stored, in order).
The test province "Tỉnh Mẫu" and its units are those of tests/conftest.py.

    .venv/bin/python tests/hostile/make_hostile.py OUT_FOLDER   # write the files to look at them
"""

from __future__ import annotations

import io
import pickle
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

LONG = "province,unit,index,component,year,score,rank,rank_of"
UNITS = ["Sở Nội vụ", "Sở Tư pháp", "Sở LĐ-TB&XH", "Sở Y tế"]


@dataclass
class Case:
    name: str
    expect: str  # 'refused' or 'imported'
    fragment: str = ""  # a piece of the one message (refused) or of the preview (imported)
    where: str = ""  # the line/cell/option the message names (refused)
    scores: list[float] = field(default_factory=list)  # what is stored, in line order (imported)
    options: dict = field(default_factory=dict)  # extra CLI options
    fault: str = ""  # an environment failure injected during the write: 'enospc', 'erofs', 'checkpoint'
    heavy: bool = False  # large or expensive: the memory bound matters most here


def long_rows(scores: list[float], year: int = 2024, unit_list: list[str] = UNITS) -> list[str]:
    n = len(scores)
    return [
        f"Tỉnh Mẫu,{unit_list[i % len(unit_list)]},PAR,,{year},{s},{i + 1},{n}" for i, s in enumerate(scores)
    ]


def text_file(path: Path, lines: list[str], *, ending: str = "\n", encoding: str = "utf-8") -> None:
    path.write_bytes((ending.join(lines) + ending).encode(encoding))


# ---------- zip writing by hand: a member inflating to far more than it weighs ----------


def _dos_entry(name: str, crc: int, csize: int, usize: int, offset: int) -> tuple[bytes, bytes]:
    raw = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, csize, usize, len(raw), 0) + raw
    central = (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            csize,
            usize,
            len(raw),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + raw
    )
    return local, central


def write_zip(
    path: Path, members: dict[str, bytes], bomb: tuple[str, bytes, bytes, int, bytes] | None
) -> None:
    """Members deflated normally; ``bomb`` = (name, head, block, repeats, tail): the block deflated
    once after a full flush (identical bytes every time) and repeated, so 1 GB costs a few MB."""
    out = io.BytesIO()
    centrals = []
    for name, data in members.items():
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = c.compress(data) + c.flush()
        local, central = _dos_entry(name, zlib.crc32(data), len(packed), len(data), out.tell())
        out.write(local + packed)
        centrals.append(central)
    if bomb:
        name, head, block, repeats, tail = bomb
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
        middle = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
        end = c.compress(tail) + c.flush()
        crc = zlib.crc32(head)
        for _ in range(repeats):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(tail, crc)
        usize = len(head) + len(block) * repeats + len(tail)
        csize = len(start) + len(middle) * repeats + len(end)
        local, central = _dos_entry(name, crc, csize, usize, out.tell())
        out.write(local + start)
        for _ in range(repeats):
            out.write(middle)
        out.write(end)
        centrals.append(central)
    cd_offset = out.tell()
    for central in centrals:
        out.write(central)
    size = out.tell() - cd_offset
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(centrals), len(centrals), size, cd_offset, 0))
    path.write_bytes(out.getvalue())


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


# ---------- workbooks ----------


def long_workbook(path: Path, scores: list, *, sheets=None, hidden_first=False, percent=False, formulas=None):
    """A long-format workbook; ``formulas`` = {row index: (formula, cached value)} for the score."""
    wb = xlsxwriter.Workbook(str(path))
    if hidden_first:
        decoy = wb.add_worksheet("Nháp")
        decoy.write_row(0, 0, LONG.split(","))
        for i, line in enumerate(long_rows([10.0] * len(scores))):
            decoy.write_row(i + 1, 0, _typed(line.split(",")))
        decoy.hide()
    ws = wb.add_worksheet(sheets or "Kết quả")
    pct = wb.add_format({"num_format": "0.00%"})
    ws.write_row(0, 0, LONG.split(","))
    for i, line in enumerate(long_rows(scores)):
        cells = _typed(line.split(","))
        ws.write_row(i + 1, 0, cells)
        if percent:
            ws.write_number(i + 1, 5, scores[i] / 100, pct)
        if formulas and i in formulas:
            formula, value = formulas[i]
            ws.write_formula(i + 1, 5, formula, None, value)
    if hidden_first:
        ws.activate()
    wb.close()


def legacy_workbook(path: Path, scores: list, *, hidden_first=False, only_hidden=False) -> None:
    """A long-format Excel 97–2003 (.xls, BIFF8) workbook, written by xlwt."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    sheets = []
    if hidden_first:
        sheets.append((wb.add_sheet("Nháp"), [10.0] * len(scores)))
    sheets.append((wb.add_sheet("Kết quả"), scores))
    for ws, values in sheets:
        for j, name in enumerate(LONG.split(",")):
            ws.write(0, j, name)
        for i, line in enumerate(long_rows(values)):
            for j, value in enumerate(_typed(line.split(","))):
                ws.write(i + 1, j, value)
    hidden = sheets if only_hidden else sheets[:-1]
    for ws, _ in hidden:
        ws.visibility = 1
        ws.selected = False
    wb.active_sheet = len(sheets) - 1
    wb.save(str(path))


def _typed(cells: list[str]) -> list:
    out = []
    for c in cells:
        try:
            out.append(float(c) if "." in c else int(c))
        except ValueError:
            out.append(c)
    return out


def replace_in_sheet(path: Path, old: bytes, new: bytes, sheet: str = "xl/worksheets/sheet1.xml") -> None:
    members = members_of(path)
    assert old in members[sheet], old
    members[sheet] = members[sheet].replace(old, new)
    write_zip(path, members, None)


def fake_encrypted(path: Path) -> None:
    """An OLE container with the streams of a password-protected workbook (contents irrelevant)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    names = b"".join(
        n.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for n in ("EncryptionInfo", "EncryptedPackage")
    )
    path.write_bytes(header + names + bytes(4096))


# ---------- the corpus ----------


def cases(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Case] = []

    def csv_case(name, lines, expect, fragment="", where="", scores=(), **kw):
        text_file(folder / name, lines, **{k: kw.pop(k) for k in ("ending", "encoding") if k in kw})
        out.append(Case(name, expect, fragment, where, list(scores), **kw))

    good = [94.5, 91.24, 90.0, 87.5]
    good_rows = long_rows(good)

    def with_row(i: int, row: str) -> list[str]:
        """The good long file with its row ``i`` (0: the first below the header) replaced."""
        return [LONG, *good_rows[:i], row, *good_rows[i + 1 :]]

    # --- strict CSV: exact or refused, naming the line ---
    body = [f"Tỉnh Mẫu,{UNITS[i % 4]},PAR,,2024,{80 + i / 10},,19" for i in range(19)]
    broken = list(body)
    broken[4] = 'Tỉnh Mẫu,"Sở Y tế,PAR,,2024,81.4,,19'  # line 6: a quote opened and never closed
    csv_case("unclosed_quote.csv", [LONG, *broken], "refused", "ngoặc kép", "dòng 6")
    unclosed_last = with_row(3, '"Tỉnh Mẫu,Sở Y tế')  # the last line: a quote opened, then the end
    csv_case("unclosed_quote_last_line.csv", unclosed_last, "refused", "ngoặc kép", "dòng 5")
    # an unquoted comma: one field too many
    extra_comma = with_row(1, good_rows[1].replace("91.24", "91,24"))
    csv_case("extra_unquoted_comma.csv", extra_comma, "refused", "trường", "dòng 3")
    # the last row cut short: rank and rank_of lost
    truncated = with_row(3, "Tỉnh Mẫu,Sở Y tế,PAR,,2024,87.5")
    csv_case("truncated_last_row.csv", truncated, "refused", "bị cắt", "dòng 5")
    # trailing empty fields are padding, not data
    csv_case("trailing_empty_fields.csv", with_row(2, good_rows[2] + ",,,,"), "imported", scores=good)
    csv_case(
        "duplicated_score_column.csv",
        [LONG + ",score", *(r + f",{s + 1}" for r, s in zip(long_rows(good), good, strict=True))],
        "refused",
        "hai lần",
        "dòng 1",
    )
    csv_case(
        "embedded_nul.csv",
        [LONG, *long_rows(good)[:2], "Tỉnh Mẫu,Sở Y\x00 tế,PAR,,2024,87.5,4,4"],
        "refused",
        "NUL",
        "dòng 4",
    )
    csv_case(
        "no_delimiter.csv",
        ["chỉ là một đoạn văn", "không có bảng nào", "hết"],
        "refused",
        "phân cách",
        "dòng 1",
    )
    quoted = [f'{r},"Quyết định 12/QĐ; trang {i}; bảng 2; dòng {i}"' for i, r in enumerate(long_rows(good))]
    csv_case("quoted_semicolons.csv", [LONG + ",quote", *quoted], "imported", scores=good)
    csv_case("crlf_endings.csv", [LONG, *long_rows(good)], "imported", scores=good, ending="\r\n")
    csv_case("cr_only_endings.csv", [LONG, *long_rows(good)], "imported", scores=good, ending="\r")
    csv_case(
        "semicolon_delimited.csv",
        [LONG.replace(",", ";"), *(r.replace(",", ";") for r in long_rows(good))],
        "imported",
        scores=good,
    )
    csv_case(
        "tab_delimited.csv",
        [LONG.replace(",", "\t"), *(r.replace(",", "\t") for r in long_rows(good))],
        "imported",
        scores=good,
    )
    csv_case(
        "blank_lines_between.csv",
        [LONG, "", long_rows(good)[0], "", "", *long_rows(good)[1:], ""],
        "imported",
        scores=good,
    )
    (folder / "utf8_bom.csv").write_bytes(
        b"\xef\xbb\xbf" + ("\n".join([LONG, *long_rows(good)]) + "\n").encode()
    )
    out.append(Case("utf8_bom.csv", "imported", scores=good))
    (folder / "utf16_bom.csv").write_bytes(
        ("\ufeff" + "\n".join([LONG, *long_rows(good)]) + "\n").encode("utf-16-le")
    )
    out.append(Case("utf16_bom.csv", "imported", scores=good))
    (folder / "latin1_bytes.csv").write_bytes(
        ("\n".join([LONG, *long_rows(good)]) + "\n").encode("utf-8").replace("ế".encode(), b"\xea")
    )
    out.append(Case("latin1_bytes.csv", "refused", "UTF-8", "dòng 5"))
    multiline = [
        'STT,Tên đơn vị,"Tổng điểm\n(100 điểm)",Xếp hạng',
        *(
            f'{i + 1},{u},"{str(s).replace(".", ",")}",{i + 1}'
            for i, (u, s) in enumerate(zip(UNITS, good, strict=True))
        ),
    ]
    csv_case(
        "wide_multiline_header.csv",
        multiline,
        "imported",
        scores=good,
        options={"index": "PAR", "year": 2024, "province": "Tỉnh Mẫu"},
    )
    csv_case(
        "quote_after_closing.csv",
        [LONG, *long_rows(good)[:2], 'Tỉnh Mẫu,"Sở Y tế"x,PAR,,2024,87.5,3,4'],
        "refused",
        "ngoặc kép",
        "dòng 4",
    )
    csv_case("only_header.csv", [LONG], "refused", "không có dòng số liệu", "dòng 1")
    (folder / "empty.csv").write_bytes(b"")
    out.append(Case("empty.csv", "refused", "rỗng"))
    (folder / "whitespace.csv").write_bytes(b"   \n\t\n  \n")
    out.append(Case("whitespace.csv", "refused", "rỗng"))
    (folder / "random_bytes.csv").write_bytes(bytes((i * 7919 + 13) % 256 for i in range(5000)))
    out.append(Case("random_bytes.csv", "refused", "NUL"))
    (folder / "pdf_as_csv.csv").write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n")
    out.append(Case("pdf_as_csv.csv", "refused", "PDF"))
    csv_case("csv_named_xlsx.xlsx", [LONG, *long_rows(good)], "refused", "không phải tệp Excel")
    csv_case(
        "huge_field.csv",
        [LONG, "Tỉnh Mẫu," + "Sở " * 300_000 + ",PAR,,2024,90,1,1"],
        "refused",
        "ô dài",
        "dòng 2",
    )
    csv_case(
        "ansi_escape_unit.csv",
        [LONG, "Tỉnh Mẫu,\x1b[2J\x1b[8mSở Nội vụ,PAR,,2024,90,1,1"],
        "refused",
        "unit",
        "dòng 2",
    )
    # --- plausibility ---
    csv_case("year_2099.csv", [LONG, *long_rows(good, year=2099)], "refused", "2099", "dòng 2")
    csv_case("year_1850.csv", [LONG, *long_rows(good, year=1850)], "refused", "1850", "dòng 2")
    # one row of the good file replaced: (file, row, new row, what the message says, where)
    for name, i, row, fragment, where in (
        ("rank_2147483648.csv", 0, "Tỉnh Mẫu,Sở Nội vụ,PAR,,2024,94.5,2147483648,4", "2147483648", "dòng 2"),
        ("negative_rank_of.csv", 1, "Tỉnh Mẫu,Sở Tư pháp,PAR,,2024,91.24,2,-4", "-4", "dòng 3"),
        ("rank_zero.csv", 1, "Tỉnh Mẫu,Sở Tư pháp,PAR,,2024,91.24,0,4", "'0'", "dòng 3"),
        ("rank_above_rank_of.csv", 1, "Tỉnh Mẫu,Sở Tư pháp,PAR,,2024,91.24,7,4", "1–4", "dòng 3"),
        ("fractional_rank.csv", 2, "Tỉnh Mẫu,Sở Y tế,PAR,,2024,90,3.5,4", "số nguyên", "dòng 4"),
        *(
            (f"score_{label}.csv", 0, good_rows[0].replace("94.5", value), "hữu hạn", "dòng 2")
            for label, value in (("nan", "NaN"), ("inf", "inf"), ("minus_inf", "-inf"), ("overflow", "1e309"))
        ),
        ("negative_score.csv", 3, good_rows[3].replace("87.5", "-3"), "âm", "dòng 5"),
        ("score_above_max.csv", 3, good_rows[3].replace("87.5", "100.5"), "vượt", "dòng 5"),
        ("decimal_comma_long.csv", 0, good_rows[0].replace("94.5", "94,5"), "trường", "dòng 2"),
        ("unknown_index.csv", 0, good_rows[0].replace(",PAR,", ",XYZ,"), "XYZ", "dòng 2"),
        ("year_text.csv", 1, "Tỉnh Mẫu,Sở Tư pháp,PAR,,năm 2024,91.24,2,4", "năm", "dòng 3"),
    ):
        csv_case(name, with_row(i, row), "refused", fragment, where)
    rows = [*long_rows(good), long_rows(good)[0].replace("94.5", "93.5")]
    csv_case("same_key_two_values.csv", [LONG, *rows], "refused", "dòng 2", "dòng 6")
    csv_case("minus_zero_score.csv", [LONG, "Tỉnh Mẫu,Sở Nội vụ,PAR,,2024,-0,1,1"], "imported", scores=[0.0])
    csv_case(
        "unit_after_it_ceased.csv", [LONG, "Tỉnh Mẫu,Đầm Sen,PAR,,2022,80,,"], "refused", "–2019", "dòng 2"
    )
    # --- counts and size limits ---
    many = [LONG, *(f"Tỉnh Mẫu,Sở Nội vụ,PAR,,{1990 + i % 30},{i % 100},," for i in range(250_000))]
    csv_case("rows_250000.csv", many, "refused", "200.000", heavy=True)
    (folder / "over_20_mb.csv").write_bytes((LONG + "\n").encode() + b"#" * (21 * 1024 * 1024))
    out.append(Case("over_20_mb.csv", "refused", "MB", heavy=True))
    counts = "province,unit,unit_type,level,period_start,period_end,indicator,value,source_title,quote"
    row = "Tỉnh Mẫu,Hòa Lạc,city,unit,2024-01-01,2024-12-31,{},{},Báo cáo mẫu,trích"
    csv_case(
        "counts_rate_5000_pct.csv",
        [counts, row.format("resolved_early_or_on_time_pct", 5000)],
        "refused",
        "100 %",
        "dòng 2",
    )
    csv_case(
        "counts_free_text_indicator.csv",
        [counts, row.format("dossiers_received", 10), row.format("Số hồ sơ tiếp nhận", 12)],
        "refused",
        "không phải là mã",
        "dòng 3",
    )
    csv_case(
        "counts_fractional.csv",
        [counts, row.format("dossiers_received", 10.5)],
        "refused",
        "số nguyên",
        "dòng 2",
    )
    csv_case(
        "counts_250000_rows.csv",
        [counts, *(row.format(f"dossiers_received_{i}", i) for i in range(250_000))],
        "refused",
        "200.000",
        heavy=True,
    )
    # --- workbooks: bounded, exact or refused naming the cell ---
    long_workbook(folder / "good_long.xlsx", good)
    out.append(Case("good_long.xlsx", "imported", scores=good))
    wb = xlsxwriter.Workbook(str(folder / "far_cell.xlsx"))
    ws = wb.add_worksheet("Kết quả")
    ws.write_row(0, 0, LONG.split(","))
    ws.write_row(1, 0, _typed(long_rows(good)[0].split(",")))
    ws.write("XFD1048576", 1)
    wb.close()
    out.append(Case("far_cell.xlsx", "refused", "giới hạn", "XFD1048576", heavy=True))
    long_workbook(folder / "far_cell_lying_dimension.xlsx", good)
    replace_in_sheet(
        folder / "far_cell_lying_dimension.xlsx",
        b"</sheetData>",
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    )
    out.append(Case("far_cell_lying_dimension.xlsx", "refused", "giới hạn", "XFD1048576", heavy=True))
    long_workbook(folder / "far_column.xlsx", good)
    replace_in_sheet(
        folder / "far_column.xlsx", b"</sheetData>", b'<row r="6"><c r="ZZ6"><v>1</v></c></row></sheetData>'
    )
    out.append(Case("far_column.xlsx", "refused", "giới hạn", "ZZ6"))
    _zip_bomb(folder / "zip_bomb.xlsx", 1_100)  # 1,1 GB
    out.append(Case("zip_bomb.xlsx", "refused", "bung ra", heavy=True))
    _zip_bomb(folder / "zip_bomb_within_size.xlsx", 150)  # 150 MB, compressed 300 times
    out.append(Case("zip_bomb_within_size.xlsx", "refused", "nén", "sheet1.xml", heavy=True))
    fake_encrypted(folder / "encrypted.xlsx")
    out.append(Case("encrypted.xlsx", "refused", "encrypted workbook"))
    good_bytes = (folder / "good_long.xlsx").read_bytes()
    (folder / "truncated.xlsx").write_bytes(good_bytes[: len(good_bytes) // 2])
    out.append(Case("truncated.xlsx", "refused", "không đọc được tệp Excel"))
    write_zip(folder / "zip_not_workbook.xlsx", {"readme.txt": b"not a workbook"}, None)
    out.append(Case("zip_not_workbook.xlsx", "refused", "không đọc được tệp Excel"))
    long_workbook(folder / "formula_div0.xlsx", good, formulas={1: ("=1/0", "#DIV/0!")})
    out.append(Case("formula_div0.xlsx", "refused", "công thức", "F3"))
    long_workbook(folder / "formula_no_cache.xlsx", good, formulas={2: ("=A1*2", 0)})
    replace_in_sheet(folder / "formula_no_cache.xlsx", b"<f>A1*2</f><v>0</v>", b"<f>A1*2</f>")
    out.append(Case("formula_no_cache.xlsx", "refused", "công thức", "F4"))
    long_workbook(folder / "formula_text.xlsx", good, formulas={0: ('="chín mươi"', "chín mươi")})
    out.append(Case("formula_text.xlsx", "refused", "công thức", "F2"))
    long_workbook(folder / "formula_numeric.xlsx", good, formulas={3: ("=80+7.5", 87.5)})
    out.append(Case("formula_numeric.xlsx", "imported", scores=good))
    long_workbook(folder / "hidden_first_sheet.xlsx", good, hidden_first=True)
    out.append(Case("hidden_first_sheet.xlsx", "imported", "ẩn", scores=good))
    long_workbook(folder / "hidden_sheet_named.xlsx", good, hidden_first=True)
    out.append(
        Case("hidden_sheet_named.xlsx", "imported", "ẩn", scores=[10.0] * 4, options={"sheet": "Nháp"})
    )
    long_workbook(folder / "only_hidden_sheet.xlsx", good)
    replace_in_sheet(
        folder / "only_hidden_sheet.xlsx",
        b'r:id="rId1"/>',
        b'state="hidden" r:id="rId1"/>',
        "xl/workbook.xml",
    )
    out.append(Case("only_hidden_sheet.xlsx", "refused", "ẩn"))
    # --- legacy Excel 97–2003 (.xls): read exactly by calamine, hidden sheets as for .xlsx ---
    legacy_workbook(folder / "legacy.xls", good)
    out.append(Case("legacy.xls", "imported", "Kết quả", scores=good))
    legacy_workbook(folder / "legacy_hidden_first_sheet.xls", good, hidden_first=True)
    out.append(Case("legacy_hidden_first_sheet.xls", "imported", "ẩn", scores=good))
    legacy_workbook(folder / "legacy_hidden_sheet_named.xls", good, hidden_first=True)
    out.append(
        Case("legacy_hidden_sheet_named.xls", "imported", "ẩn", scores=[10.0] * 4, options={"sheet": "Nháp"})
    )
    legacy_workbook(folder / "legacy_only_hidden_sheet.xls", good, only_hidden=True)
    out.append(Case("legacy_only_hidden_sheet.xls", "refused", "ẩn"))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    (folder / "legacy_broken.xls").write_bytes(ole + bytes(504) + b"not a workbook " * 64)
    out.append(Case("legacy_broken.xls", "refused", "Excel 97–2003 (.xls)"))
    long_workbook(folder / "percent_formatted.xlsx", good, percent=True)
    out.append(Case("percent_formatted.xlsx", "imported", "phần trăm", scores=good))
    long_workbook(folder / "missing_sheet.xlsx", good)
    out.append(Case("missing_sheet.xlsx", "refused", "không có trang tính", options={"sheet": "Không có"}))
    wb = xlsxwriter.Workbook(str(folder / "formatted_empty_rows.xlsx"))
    ws = wb.add_worksheet("Kết quả")
    ws.write_row(0, 0, LONG.split(","))
    for i, line in enumerate(long_rows(good)):
        ws.write_row(i + 1, 0, _typed(line.split(",")))
    fmt = wb.add_format({"bg_color": "#FFFF00"})
    for r in range(10, 3000):
        ws.write_blank(r, 0, None, fmt)
    wb.close()
    out.append(Case("formatted_empty_rows.xlsx", "imported", scores=good))
    # --- the surroundings: full disk, read-only folder, broken database and config files ---
    csv_case("full_disk.csv", [LONG, *long_rows(good)], "refused", "hết chỗ trống", "", fault="enospc")
    csv_case(
        "full_disk_checkpoint.csv",
        [LONG, *long_rows(good)],
        "refused",
        "hết chỗ trống",
        "",
        fault="checkpoint",
    )
    csv_case("read_only_folder.csv", [LONG, *long_rows(good)], "refused", "chỉ đọc", "", fault="erofs")
    csv_case("db_is_a_folder.csv", [LONG, *long_rows(good)], "refused", "thư mục", "", fault="db_folder")
    csv_case("db_corrupt.csv", [LONG, *long_rows(good)], "refused", "hỏng", "", fault="db_corrupt")
    csv_case("db_empty_file.csv", [LONG, *long_rows(good)], "refused", "hỏng", "", fault="db_empty")
    config_cases(folder, out, good)
    (folder / "cases.pkl").write_bytes(pickle.dumps(out))
    return out


def _zip_bomb(path: Path, megabytes: int) -> None:
    """A workbook of a few MB whose sheet inflates to ``megabytes`` (rows without positions, alike)."""
    long_workbook(path, [90.0])
    members = members_of(path)
    sheet = members.pop("xl/worksheets/sheet1.xml")
    head, _, _ = sheet.partition(b"<sheetData>")
    block = (
        b'<row><c t="inlineStr"><is><t>S\xe1\xbb\x9f N\xe1\xbb\x99i v\xe1\xbb\xa5</t></is></c>'
        b"<c><v>90.5</v></c></row>" * 12_000
    )
    write_zip(
        path,
        members,
        ("xl/worksheets/sheet1.xml", head + b"<sheetData>", block, megabytes, b"</sheetData></worksheet>"),
    )


def config_cases(folder: Path, out: list[Case], good: list[float]) -> None:
    """Configurations that would lie: each is passed with --config and must be refused by name."""
    root = Path(__file__).resolve().parents[2]
    text = (root / "config" / "indices.yaml").read_text(encoding="utf-8")
    lines = [LONG, *long_rows(good)]

    def config_case(name, body: bytes, fragment):
        path = folder / name
        path.write_bytes(body)
        data = folder / f"{name}.csv"
        text_file(data, lines)
        out.append(Case(data.name, "refused", fragment, name, options={"config": str(path)}))

    config_case("config_not_utf8.yaml", text.encode("utf-8").replace("Chỉ".encode(), b"Ch\xec", 1), "UTF-8")
    config_case("config_deep.yaml", text.encode() + b"deep: " + b"[" * 5000 + b"]" * 5000 + b"\n", "lồng")
    dup = text.replace("  - code: PAR\n", "  - code: PAR\n    direction: lower_is_better\n", 1)
    config_case("config_duplicate_key.yaml", dup.encode(), "hai lần")
    inf = text.replace("max_score: 100", "max_score: .inf", 1)
    config_case("config_max_inf.yaml", inf.encode(), "max_score")
    bad_sum = text.replace(
        'en: "SIPAS satisfaction index"}, max: 10}', 'en: "SIPAS satisfaction index"}, max: 12}', 1
    )
    config_case("config_maxima_do_not_sum.yaml", bad_sum.encode(), "add up")
    config_case("config_garbage.yaml", b"\x00\x01\x02 not yaml at all {{{", "YAML")
    out.append(Case("config_is_folder.csv", "refused", "thư mục", options={"config": str(folder)}))
    text_file(folder / "config_is_folder.csv", lines)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    made = cases(target)
    print(f"{len(made)} files in {target}")
