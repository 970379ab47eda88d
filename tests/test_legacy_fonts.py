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


def test_vni_is_detected_by_name_and_not_converted():
    vni = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam; Sôû Noäi vuï xeáp haïng nhaát"
    assert legacy_fonts.detect(vni) == "VNI"
    with pytest.raises(ValueError, match="VNI"):
        legacy_fonts.to_unicode(vni, "VNI")
