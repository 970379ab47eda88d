"""Problems found in a file, carried as codes with parameters; the words come from ``locales/``.

An ``Issue`` names where the steward sees the problem (file, sheet, row, column) and what it is:
a ``code`` such as ``score.above_max`` or ``csv.unclosed_quote`` with its ``params``. The text is
``problem.<code>`` and the hint ``hint.<key>`` (one or more keys joined by "; ") in
``locales/<lang>.problems.yaml``; ``message`` and ``hint`` keep the Vietnamese text for the pages
and messages that are not translated yet. Nothing reads meaning out of a message: the code says it.
"""

from __future__ import annotations

from dataclasses import dataclass

from chiso.errors import ChisoError
from chiso.i18n import DEFAULT_LANG, messages, t


def _has(key: str) -> bool:
    return key in messages(DEFAULT_LANG)


class Note(str):
    """Words from ``locales/`` by key: the Vietnamese text as a ``str`` (so it prints, joins and is
    audited as before), and ``render(lang)`` in another language. A parameter may be a Note too
    (a flagged cell's reason inside its description)."""

    key: str
    values: dict

    def __new__(cls, key: str, **values: object) -> Note:
        note = super().__new__(cls, t(key, DEFAULT_LANG, **values))
        note.key, note.values = key, values
        return note

    def render(self, lang: str = DEFAULT_LANG) -> str:
        return t(self.key, lang, **localised(self.values, lang))

    def __reduce__(self):
        return (_note, (self.key, self.values))


def _note(key: str, values: dict) -> Note:
    return Note(key, **values)


def localised(params: dict, lang: str) -> dict:
    """Parameters with every Note in them rendered in the language."""
    return {k: v.render(lang) if isinstance(v, Note) else v for k, v in params.items()}


def note_text(note: object, lang: str = DEFAULT_LANG) -> str:
    """A note of a read file (a Note, or older plain text) in the language."""
    return note.render(lang) if isinstance(note, Note) else str(note)


@dataclass(frozen=True)
class Issue:
    """A problem (``level='error'``, blocks the import) or a warning, where the steward sees it."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    hint: str | None = None
    level: str = "error"
    code: str | None = None
    params: tuple[tuple[str, object], ...] = ()
    hints: tuple[str, ...] = ()  # keys under hint.*, joined by "; "
    page: int | None = None  # PDF: the page the row is on (rows are numbered across pages)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The problem in the language asked for (the stored message when it has no code)."""
        if self.code is None or lang == DEFAULT_LANG:
            return self.message
        return t(f"problem.{self.code}", lang, **localised(dict(self.params), lang))

    def hint_text(self, lang: str = DEFAULT_LANG) -> str | None:
        if not self.hints or lang == DEFAULT_LANG:
            return self.hint
        return hint_for(self.hints, dict(self.params), lang)

    def where(self, lang: str = DEFAULT_LANG) -> str:
        return where_text(self.file, lang, sheet=self.sheet, row=self.row, column=self.column, page=self.page)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        hint = self.hint_text(lang)
        return f"{self.where(lang)}: {self.text(lang)}" + (f" — {hint}" if hint else "")

    def __str__(self) -> str:
        return self.render(DEFAULT_LANG)

    def sort_key(self) -> tuple:
        return (self.sheet or "", self.row or 0, self.column or "", self.message)


def where_text(file: str, lang: str = DEFAULT_LANG, **places: object) -> str:
    """'a.xlsx, trang tính X, dòng 3, cột score': the file, then each place given (sheet, row,
    column, page) in the language."""
    said = [t(f"problem.where.{name}", lang, **{name: value}) for name, value in places.items() if value]
    return ", ".join([file, *said])


def hint_for(keys: tuple[str, ...], params: dict, lang: str = DEFAULT_LANG) -> str | None:
    """The hints under ``hint.<key>`` for the keys, joined by "; " (None when there is none)."""
    texts = [t(f"hint.{key}", lang, **params) for key in keys if _has(f"hint.{key}")]
    return "; ".join(texts) or None


def issue(
    file: str,
    code: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    level: str = "error",
    hints: tuple[str, ...] | None = None,
    **params: object,
) -> Issue:
    """A coded problem; the hint is ``hint.<code>`` unless other keys are given."""
    keys = (code,) if hints is None else hints
    return Issue(
        file,
        t(f"problem.{code}", DEFAULT_LANG, **params),
        sheet=sheet,
        row=row,
        column=column,
        hint=hint_for(keys, params),
        level=level,
        code=code,
        params=tuple(params.items()),
        hints=keys,
    )


class AnnexError(ChisoError):
    """The file cannot be read as a table at all; ``issues`` has every problem, ``str()`` one line."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        more = t("problem.import.more", DEFAULT_LANG, n=len(issues) - 1) if len(issues) > 1 else ""
        super().__init__(f"{issues[0]}{more}")
