"""Errors a user can act on: their message is shown as is, never a traceback."""

from __future__ import annotations

from chiso.i18n import DEFAULT_LANG, t


class ChisoError(Exception):
    """Invalid input or data; the message names the file, row and column where it can.

    A coded error (``ChisoError.coded("store.locked", db=...)``) takes its text from ``locales/``
    by code: ``str()`` is the Vietnamese text, :meth:`text` the text in any language."""

    code: str | None = None
    values: dict[str, object] | None = None

    @classmethod
    def coded(cls, code: str, /, **values: object) -> ChisoError:
        error = cls(t(code, DEFAULT_LANG, **values))
        error.code, error.values = code, values
        return error

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The message in ``lang``; a value that renders itself (a ``Note``) is said in it too."""
        if not self.code:
            return str(self)
        values = {k: v.render(lang) if hasattr(v, "render") else v for k, v in (self.values or {}).items()}
        return t(self.code, lang, **values)


class KeepsImportsError(ChisoError):
    """A rebuild refused because the existing database holds imports not in ``data/``.

    The existing database is complete and servable, so ``chiso build --keep-imported`` treats this
    as success (``make run`` then serves it) while every other build failure stops ``make run``.
    """
