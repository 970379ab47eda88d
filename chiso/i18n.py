"""UI text from ``locales/<lang>.yaml``. Index and component names stay in indices.yaml.

``t(key, lang, **values)`` falls back to Vietnamese, then to the key itself, so a
missing text is visible on the page instead of crashing it; a test keeps every
locale complete.
"""

from __future__ import annotations

from functools import cache

import yaml

from chiso.paths import LOCALES_DIR

# libyaml's parser when the installed PyYAML has it: the locale files are read on a page's first
# run, ten times faster than the pure-Python parser (the same plain mappings of strings).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFAULT_LANG = "vi"
LANGS = ("vi", "en")


@cache
def messages(lang: str) -> dict[str, str]:
    """``locales/<lang>.yaml`` merged with the feature files ``locales/<lang>.<feature>.yaml``."""
    merged: dict[str, str] = {}
    for path in [LOCALES_DIR / f"{lang}.yaml", *sorted(LOCALES_DIR.glob(f"{lang}.*.yaml"))]:
        if path.exists():
            merged.update(yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {})
    return merged


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    text = messages(lang).get(key) or messages(DEFAULT_LANG).get(key) or key
    return text.format(**values) if values else text


def label(text: dict[str, str] | None, lang: str) -> str:
    """Pick a config text in the language, falling back to Vietnamese."""
    if not text:
        return ""
    return text.get(lang) or text.get(DEFAULT_LANG) or next(iter(text.values()))


class Said(str):
    """Words that depend on the language, as a value of a coded message: ``str`` is the Vietnamese
    text, ``render(lang)`` the text in ``lang`` (``ChisoError.text`` renders such values)."""

    def __new__(cls, say) -> Said:
        said = super().__new__(cls, say(DEFAULT_LANG))
        said.say = say
        return said

    def render(self, lang: str = DEFAULT_LANG) -> str:
        return self.say(lang)
