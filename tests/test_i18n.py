"""Every UI text key used in the code exists in every locale, and the locales agree."""

import re
from pathlib import Path

import pytest

from chiso.i18n import LANGS, messages, t

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.glob("chiso/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
KEY = re.compile(r'\bt\(\s*f?"([a-z_.{}]+)"')


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in SOURCES:
        for key in KEY.findall(path.read_text(encoding="utf-8")):
            if "{" in key:  # f"dataset.{d}" and friends: expand over the known values
                prefix = key.split("{")[0]
                keys |= {k for k in messages("vi") if k.startswith(prefix)}
            else:
                keys.add(key)
    return keys


@pytest.mark.parametrize("lang", LANGS)
def test_every_used_key_exists(lang):
    missing = sorted(used_keys() - set(messages(lang)))
    assert not missing, f"locales/{lang}.yaml lacks {missing}"


def test_locales_have_the_same_keys():
    assert set(messages("vi")) == set(messages("en"))


def test_dynamic_keys_have_both_variants():
    for prefix, values in {
        "dataset.": ["published", "demo"],
        "stat.": ["mean", "median"],
        "trends.measure.": ["score", "rank"],
    }.items():
        for lang in LANGS:
            assert all(f"{prefix}{v}" in messages(lang) for v in values)


def test_fallback_shows_the_key_not_a_crash():
    assert t("no.such.key", "en") == "no.such.key"
    assert t("rankings.title", "en", index="PAR INDEX", year=2022) == "PAR INDEX rankings, 2022"
