"""Text in the old Vietnamese font encodings (before Unicode), as PDFs made from old Word files carry it.

* **TCVN3 (ABC)**, fonts ``.VnTime``, ``.VnArial``…: one byte per letter with its marks, the bytes
  shown as Latin-1 symbols ("Céng hoµ x· héi chñ nghÜa ViÖt Nam"). Converted to Unicode. Its
  capital fonts (``.VnTimeH``, ``.VnArialH``…) reuse the small letters' codes: the text alone cannot
  tell "Ủy" from "ủy", so the font's name decides (``is_capital_font``); where no font name is
  known the letters come back small and the reader says so.
* **VNI** (``VNI-Times``…): a base letter followed by a mark symbol ("Coäng hoøa xaõ hoäi"), with
  its own codes for capitals. Converted to Unicode.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode letter -> TCVN3 byte (as the Latin-1 character text extraction shows).
_PAIRS = (
    "àµ á¸ ả¶ ã· ạ¹ ă¨ ằ» ắ¾ ẳ¼ ẵ½ ặÆ â© ầÇ ấÊ ẩÈ ẫÉ ậË đ® èÌ éÐ ẻÎ ẽÏ ẹÑ êª ềÒ ếÕ ểÓ ễÔ ệÖ "
    "ì× íÝ ỉØ ĩÜ ịÞ òß óã ỏá õâ ọä ô« ồå ốè ổæ ỗç ộé ơ¬ ờê ớí ởë ỡì ợî ùï úó ủñ ũò ụô ư\u00ad "
    "ừõ ứø ửö ữ÷ ựù ỳú ýý ỷû ỹü ỵþ Ă¡ Â¢ Đ§ Ê£ Ô¤ Ơ¥ Ư¦"
)
TCVN3_TO_UNICODE = {pair[1]: pair[0] for pair in _PAIRS.split()}
UNICODE_TO_TCVN3 = {u: t for t, u in TCVN3_TO_UNICODE.items()}

# Bytes that only TCVN3 text shows: no Vietnamese Unicode letter, and no VNI mark, uses them.
_TCVN3_ONLY = set("µ¸¶·¹¨»¾¼½Æ©ÇËÐÎÏÑªÖ×ØÜÞßæçî÷þ«¬\u00ad¡¢§£¤¥¦®")
# VNI: a vowel followed by a mark symbol no Unicode Vietnamese word has after a vowel.
_VNI = re.compile(r"[aeiouyAEIOUY][øùûõïäåëüöØÙÛÕÏÄÅËÜÖ]")


def encode_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 as text extraction shows it (for tests, and to show a steward an example)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(UNICODE_TO_TCVN3.get(ch, UNICODE_TO_TCVN3.get(ch.lower(), ch)) for ch in text)


def detect(text: str) -> str | None:
    """'TCVN3', 'VNI' or None (Unicode, or too little text to tell)."""
    letters = sum(1 for ch in text if ch.isalpha()) or 1
    tcvn3 = sum(1 for ch in text if ch in _TCVN3_ONLY)
    vni = len(_VNI.findall(text))
    if vni >= 3 and vni > tcvn3 and vni / letters >= 0.01:
        return "VNI"
    if tcvn3 >= 3 and tcvn3 / letters >= 0.01:
        return "TCVN3"
    return None


def to_unicode(text: str, encoding: str = "TCVN3", *, capital: bool = False) -> str:
    """Legacy text -> Unicode (NFC). ``capital``: TCVN3 text set in a capital font (``.VnTimeH``)."""
    if encoding == "VNI":
        return _from_vni(text)
    if encoding != "TCVN3":
        raise ValueError(f"no converter for the legacy encoding {encoding!r}")  # a programming error
    converted = unicodedata.normalize("NFC", "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in text))
    return converted.upper() if capital else converted


_CAPITAL_FONT = re.compile(r"(?:^|[+.])vn[a-z ]*h$", re.IGNORECASE)


def is_capital_font(fontname: str) -> bool:
    """A TCVN3 capital font: '.VnTimeH', 'ABCDEF+.VnArialH' (subset prefix), '.VnCentury SchoolbookH'."""
    return bool(_CAPITAL_FONT.search(fontname.strip()))


# ---------- VNI (VNI-Windows) ----------
# A letter is its base, then the mark symbol of its vowel class and tone; a few letters have a
# symbol of their own (ơ ư đ and the i's, ỵ). Capitals use the capital symbols.
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # none, sắc, huyền, hỏi, ngã, nặng
_MARKS = {
    "plain": ("", "ù", "ø", "û", "õ", "ï"),
    "circumflex": ("â", "á", "à", "å", "ã", "ä"),
    "breve": ("ê", "é", "è", "ú", "ü", "ë"),
}
_OWN = {"i": ("i", "í", "ì", "æ", "ó", "ò"), "ơ": "ô", "ư": "ö", "đ": "ñ"}


def _vni_pairs() -> dict[str, str]:
    """Every Vietnamese letter (small and capital) -> its VNI spelling."""
    pairs = {}
    for base, shape, cls in (
        *((v, "", "plain") for v in "aeouy"),
        *((v, "\u0302", "circumflex") for v in "aeo"),
        ("a", "\u0306", "breve"),
        ("o", "\u031b", "horn"),
        ("u", "\u031b", "horn"),
        ("i", "", "own"),
    ):
        for t, tone in enumerate(_TONES):
            letter = unicodedata.normalize("NFC", base + shape + tone)
            if cls == "own":
                spelt = _OWN["i"][t]
            elif cls == "horn":
                spelt = _OWN[unicodedata.normalize("NFC", base + shape)] + _MARKS["plain"][t]
            else:
                spelt = base + _MARKS[cls][t]
            pairs[letter] = spelt
    pairs["ỵ"] = "î"
    pairs["đ"] = _OWN["đ"]
    pairs.update({letter.upper(): spelt.upper() for letter, spelt in list(pairs.items())})
    return {letter: spelt for letter, spelt in pairs.items() if letter != spelt}


UNICODE_TO_VNI = _vni_pairs()
VNI_TO_UNICODE = {spelt: letter for letter, spelt in UNICODE_TO_VNI.items()}
_VNI_SPELLING = re.compile("|".join(sorted(map(re.escape, VNI_TO_UNICODE), key=len, reverse=True)))


def encode_vni(text: str) -> str:
    """Unicode -> VNI as text extraction shows it (for tests, and to show a steward an example)."""
    return "".join(UNICODE_TO_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def _from_vni(text: str) -> str:
    return unicodedata.normalize("NFC", _VNI_SPELLING.sub(lambda m: VNI_TO_UNICODE[m.group(0)], text))


NAMES = {"TCVN3": "TCVN3 (ABC, phông .VnTime)", "VNI": "VNI (phông VNI-Times)"}
