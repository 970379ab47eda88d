"""Types the PDF and scan readers share: a word on a page, where a cell was read, a flagged cell,
and how words become phrases. A module of their own, so ``pdf_annex``, ``ocr`` and ``pdf_checks``
take them from here and never from each other.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from chiso.ingest.annex import column_letter, number_kind
from chiso.ingest.problems import Note


@dataclass(frozen=True)
class Word:
    """A word or phrase on a page: text and box in PDF points (top-left origin)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float | None = None  # OCR confidence 0–100; None for a text layer
    font: str = ""  # the font's name where it matters (old capital fonts such as .VnTimeH)

    @property
    def center_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def center_y(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Source:
    """Where a cell was read: page (1-based), box (x0, top, x1, bottom in points), OCR confidence."""

    page: int
    box: tuple[float, float, float, float]
    confidence: float | None = None

    def where(self) -> Note:
        x0, top, x1, bottom = (f"{v:.0f}" for v in self.box)
        return Note("pdf.where.box", page=self.page, x0=x0, x1=x1, top=top, bottom=bottom)


@dataclass(frozen=True)
class Flag:
    """A cell a person must look at before the import: where, what was read, why."""

    row: int  # grid row number
    column: int
    text: str
    reason: str  # a Note (words from locales/), or a reader's message
    source: Source | None = None

    @property
    def cell(self) -> str:
        return f"{column_letter(self.column)}{self.row}"

    def describe(self) -> Note:
        where = self.source.where() if self.source else Note("pdf.where.unknown")
        conf = confidence_note(self.source.confidence if self.source else None)
        return Note(
            "pdf.flag.describe", cell=self.cell, where=where, text=self.text, conf=conf, reason=self.reason
        )


def confidence_note(confidence: float | None) -> Note | str:
    return "" if confidence is None else Note("pdf.flag.conf", conf=f"{confidence:.0f}")


def reasons_note(reasons: list) -> Note | str:
    """Several reasons for one cell as one Note ("a; b; c")."""
    if not reasons:
        return ""
    joined = reasons[0]
    for reason in reasons[1:]:
        joined = Note("pdf.reason.and", a=joined, b=reason)
    return joined


# ---------- words -> phrases -> lines ----------


def group_lines(words: list[Word], tolerance: float = 0.3) -> list[list[Word]]:
    """Words sharing a line (centres within tolerance × height), top to bottom, left to right."""
    lines: list[list[Word]] = []
    centers: list[float] = []
    for word in sorted(words, key=lambda w: (w.center_y, w.x0)):
        if lines and abs(word.center_y - centers[-1]) <= tolerance * max(word.height, 1.0):
            lines[-1].append(word)
            centers[-1] = statistics.median(w.center_y for w in lines[-1])
            continue
        lines.append([word])
        centers.append(word.center_y)
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def join_words(words: list[Word]) -> Word:
    confs = [w.conf for w in words if w.conf is not None]
    return Word(
        " ".join(w.text for w in words),
        min(w.x0 for w in words),
        min(w.top for w in words),
        max(w.x1 for w in words),
        max(w.bottom for w in words),
        min(confs) if confs else None,
        words[0].font if len({w.font for w in words}) == 1 else "mixed",
    )


def join_texts(words: list[Word]) -> str:
    """A cell's words in reading order; "LĐ-" at a line's end joins "TB&XH" on the next unspaced."""
    text = ""
    for i, word in enumerate(words):
        if i == 0:
            text = word.text
            continue
        prev = words[i - 1]
        wrapped = word.top >= prev.bottom - 0.3 * prev.height
        if wrapped and text.endswith("-") and len(text) > 1 and text[-2] != " ":
            text += word.text
        else:
            text += " " + word.text
    return text


def phrases(words: list[Word], gap: float = 0.45, tolerance: float = 0.3) -> list[Word]:
    """Words of a line closer than gap × their height merged into phrases (a cell's text)."""
    out = []
    for line in group_lines(words, tolerance):
        current = [line[0]]
        for word in line[1:]:
            height = max(word.height, current[-1].height)
            if word.x0 - current[-1].x1 <= gap * height:
                current.append(word)
            else:
                out.append(join_words(current))
                current = [word]
        out.append(join_words(current))
    return out


def is_number(text: str) -> bool:
    return number_kind(text) not in ("bad", "nonfinite")
