"""Old Vietnamese font encodings: TCVN3 text converts back to Unicode, VNI is named and refused."""

from __future__ import annotations

import pytest

from chiso.ingest import legacy_fonts

WORDS = "Sở Lao động - Thương binh và Xã hội đạt điểm cải cách thủ tục hành chính cao nhất; Ủy ban xếp hạng"


def test_tcvn3_as_text_extraction_shows_it_converts_to_unicode():
    encoded = "Céng hoµ x· héi chñ nghÜa ViÖt Nam"  # as a PDF made with .VnTime shows it
    assert legacy_fonts.detect(encoded) == "TCVN3"
    assert legacy_fonts.to_unicode(encoded) == "Cộng hoà xã hội chủ nghĩa Việt Nam"


def test_every_vietnamese_letter_survives_the_round_trip():
    letters = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
    encoded = legacy_fonts.encode_tcvn3(letters)
    assert len(set(encoded)) == len(letters)  # one byte per letter, none shared
    assert legacy_fonts.to_unicode(encoded) == letters


def test_a_sentence_in_tcvn3_is_detected_and_converted():
    encoded = legacy_fonts.encode_tcvn3(WORDS)
    assert encoded != WORDS
    assert legacy_fonts.detect(encoded) == "TCVN3"
    # Capital toned letters have no TCVN3 code of their own: they come back small.
    assert legacy_fonts.to_unicode(encoded) == WORDS.replace("Ủy", "ủy")


@pytest.mark.parametrize(
    "text",
    [WORDS, "Tổng điểm 91,24", "Ban Quản lý các KCN", "Xếp hạng", "Cải cách chế độ công vụ (13 điểm)", ""],
)
def test_unicode_vietnamese_is_left_alone(text):
    assert legacy_fonts.detect(text) is None


def test_tcvn3_in_a_capital_font_comes_back_in_capitals():
    encoded = legacy_fonts.encode_tcvn3("ủy ban nhân dân tỉnh quảng ninh")
    assert legacy_fonts.to_unicode(encoded, capital=True) == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"
    fonts = (".VnTimeH", "ABCDEF+.VnArialH", ".VnTime", "Arial")
    assert [legacy_fonts.is_capital_font(f) for f in fonts] == [True, True, False, False]


# as a PDF set in VNI-Times shows it
VNI_SENTENCE = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam; Sôû Noäi vuï xeáp haïng nhaát"


def test_vni_is_detected_and_converted_to_unicode():
    unicode = "Cộng hòa xã hội chủ nghĩa Việt Nam; Sở Nội vụ xếp hạng nhất"
    assert legacy_fonts.encode_vni(unicode) == VNI_SENTENCE  # the table agrees with a known sample
    assert legacy_fonts.detect(VNI_SENTENCE) == "VNI"
    assert legacy_fonts.to_unicode(VNI_SENTENCE, "VNI") == unicode


def test_every_vietnamese_letter_small_and_capital_survives_vni():
    small = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    letters = small + small.upper()
    encoded = legacy_fonts.encode_vni(letters)
    assert all(ord(ch) < 256 for ch in encoded)  # single-byte symbols, as a VNI font shows them
    assert legacy_fonts.to_unicode(encoded, "VNI") == letters
    sentence = legacy_fonts.encode_vni(WORDS)
    assert legacy_fonts.detect(sentence) == "VNI"
    assert legacy_fonts.to_unicode(sentence, "VNI") == WORDS  # capitals kept: "Ủy"


def _pdf(lines: list[tuple[str, str, int]]) -> bytes:
    """A one-page PDF whose lines (font name, text as the old font's bytes, y) use fonts by name only."""
    fonts = sorted({font for font, _, _ in lines})
    text = "".join(
        f"/F{fonts.index(font) + 1} 14 Tf 1 0 0 1 72 {y} Tm ("
        + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        + ") Tj\n"
        for font, line, y in lines
    )
    stream = f"BT\n{text}ET".encode("latin-1")
    widths = " ".join(["400"] * 224)
    resources = " ".join(f"/F{i + 1} {5 + 2 * i} 0 R" for i in range(len(fonts)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        f"/Resources << /Font << {resources} >> >> >>".encode(),
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        *(
            body
            for i, font in enumerate(fonts)
            for body in (
                f"<< /Type /Font /Subtype /Type1 /BaseFont /{font} /Encoding /WinAnsiEncoding "
                f"/FirstChar 32 /LastChar 255 /Widths [{widths}] /FontDescriptor {6 + 2 * i} 0 R >>".encode(),
                f"<< /Type /FontDescriptor /FontName /{font} /Flags 32 /FontBBox [0 -200 1000 900] "
                "/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>".encode(),
            )
        ),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_a_pdf_in_tcvn3_fonts_reads_capitals_from_the_capital_font():
    import io

    import pdfplumber

    from chiso.ingest import pdf_annex

    data = _pdf(
        [
            (".VnTimeH", legacy_fonts.encode_tcvn3("ủy ban nhân dân tỉnh"), 760),
            (".VnTime", legacy_fonts.encode_tcvn3("Cộng hoà xã hội chủ nghĩa Việt Nam"), 700),
        ]
    )
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        words = {1: pdf_annex.text_page_words(pdf.pages[0])}
    notes = pdf_annex._check_encoding("qd.pdf", words)
    assert [w.text for w in words[1]] == ["ỦY BAN NHÂN DÂN TỈNH", "Cộng hoà xã hội chủ nghĩa Việt Nam"]
    assert "TCVN3" in notes[0] and "đã chuyển sang Unicode" in notes[0]
    assert "converted to Unicode" in notes[0].render("en")
