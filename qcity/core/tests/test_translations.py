"""Translation discipline (PATTERNS.md 15): every user-facing string is wrapped, and every
wrapped string has an English translation in the compiled catalogue."""

import gettext
import re
from pathlib import Path

QCITY = Path(__file__).resolve().parents[2]
MO = QCITY / "locale" / "en" / "LC_MESSAGES" / "django.mo"
PY_STRING = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|pgettext_lazy)\(\s*(?:"[^"]*",\s*)?"((?:[^"\\]|\\.)*)"\s*[,)]"""
)
TPL_STRING = re.compile(r"""{%\s*translate\s+"([^"]*)"|{%\s*translate\s+'([^']*)'""")
BLOCK = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
HAN = re.compile(r"[\u4e00-\u9fff]")


def _wrapped_strings():
    found = {}
    for path in QCITY.rglob("*.py"):
        if "/migrations/" in str(path) or "/tests/" in str(path) or "/extraction/" in str(path):
            continue
        for match in PY_STRING.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1), path)
    for path in QCITY.rglob("*.html"):
        if "/tests/" in str(path):
            continue
        text = path.read_text(encoding="utf-8")
        for match in TPL_STRING.finditer(text):
            found.setdefault(match.group(1) or match.group(2), path)
        for match in BLOCK.finditer(text):
            body = re.split(r"{%\s*plural\s*%}", match.group(1))[0]  # the singular is the msgid
            found.setdefault(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body), path)
    return {s: p for s, p in found.items() if HAN.search(s)}


def test_every_wrapped_string_has_an_english_translation():
    assert MO.exists(), "run `make messages` and compile: the English catalogue is missing"
    with MO.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)._catalog

    def translated(s, path):
        candidates = [s.encode().decode("unicode_escape") if "\\" in s else s]
        if path.suffix == ".html":  # templates escape a bare % as %% in the msgid
            candidates.append(re.sub(r"%(?!\()", "%%", s))
        return any(catalogue.get(m) or catalogue.get((m, 0)) for m in candidates)

    missing = sorted(
        f"{s}  ({p.relative_to(QCITY)})"
        for s, p in _wrapped_strings().items()
        if not translated(s, p)
    )
    assert not missing, f"{len(missing)} strings lack an English translation:\n" + "\n".join(
        missing[:40]
    )


def test_templates_have_no_bare_chinese_text():
    bare = []
    for path in QCITY.rglob("*.html"):
        if "/tests/" in str(path):
            continue
        text = path.read_text(encoding="utf-8")
        stripped = re.sub(r"{%\s*blocktranslate.*?endblocktranslate\s*%}", "", text, flags=re.S)
        stripped = re.sub(r"{%.*?%}|{{.*?}}|<!--.*?-->", "", stripped, flags=re.S)
        for line in stripped.splitlines():
            if HAN.search(re.sub(r"<[^>]*>", "", line)):
                bare.append(f"{path.relative_to(QCITY)}: {line.strip()[:80]}")
    assert not bare, "Chinese text outside {% translate %}:\n" + "\n".join(bare[:40])
