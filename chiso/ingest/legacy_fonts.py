"""Text in the old Vietnamese font encodings (before Unicode), as PDFs made from old Word files carry it.

* **TCVN3 (ABC)**, fonts ``.VnTime``, ``.VnArial``…: one byte per letter with its marks, the bytes
  shown as Latin-1 symbols ("Céng hoµ x· héi chñ nghÜa ViÖt Nam"). Converted to Unicode. Its
  capital fonts (``.VnTimeH``) reuse the small letters' codes: such text comes back in small letters.
* **VNI** (``VNI-Times``…): a base letter followed by a mark symbol ("Coäng hoøa xaõ hoäi"). Detected
  and refused with its name: the steward converts the file (Unikey's converter) and prints it again.
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


def to_unicode(text: str, encoding: str = "TCVN3") -> str:
    if encoding != "TCVN3":
        raise ValueError(f"không chuyển được bảng mã {encoding}")
    return unicodedata.normalize("NFC", "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in text))


NAMES = {"TCVN3": "TCVN3 (ABC, phông .VnTime)", "VNI": "VNI (phông VNI-Times)"}
