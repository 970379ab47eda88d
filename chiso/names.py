"""Matching of typed unit names: case, accents and tone-mark placement do not matter.

Published tables print the same unit many ways ("TP Hòa Bình", "Thành phố Hoà Bình",
"thanh pho hoa binh"); every one of them must find the same unit.
"""

from __future__ import annotations

import re
import unicodedata

# Administrative prefixes as printed in tables, longest first so "ubnd huyen" wins over "huyen".
_PREFIXES = (
    "ubnd thanh pho",
    "ubnd thi xa",
    "ubnd huyen",
    "ubnd quan",
    "ubnd xa",
    "ubnd phuong",
    "thanh pho",
    "thi xa",
    "thi tran",
    "dac khu",
    "huyen",
    "quan",
    "phuong",
    "xa",
    "tinh",
    "tp",
    "tx",
    "h",
    "q",
    "p",
)
_PREFIX_RE = re.compile(r"^(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")\s+")


def fold(text: str) -> str:
    """Lower-case ASCII key: accents, tone marks, punctuation and extra spaces removed."""
    decomposed = unicodedata.normalize("NFD", str(text))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    stripped = re.sub(r"[^a-z0-9&]+", " ", stripped)
    return " ".join(stripped.split())


def strip_prefix(key: str) -> str:
    """Drop one administrative prefix from a folded key: 'tp hoa binh' -> 'hoa binh'."""
    return _PREFIX_RE.sub("", key, count=1)


def slug(text: str) -> str:
    """ASCII identifier for URLs and ids: 'Sở Nội vụ' -> 'so-noi-vu'."""
    return fold(text).replace("&", "va").replace(" ", "-")


def nfc(text: str) -> str:
    """Canonical composed form so 'Hoà' typed on one keyboard equals 'Hoà' stored."""
    return unicodedata.normalize("NFC", str(text)).strip()


def search(names: dict[str, str], query: str) -> list[str]:
    """Keys whose name holds every word of the query, ignoring case, accents and tone-mark
    placement: 'dam ha' finds 'Huyện Đầm Hà', 'so noi vu' finds 'Sở Nội vụ'."""
    words = fold(query).split()
    if not words:
        return list(names)
    found = []
    for key, name in names.items():
        text = f" {fold(name)} "
        if all(f" {w}" in text for w in words):
            found.append(key)
    return found
