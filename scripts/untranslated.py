#!/usr/bin/env python3
"""List the English catalogue's entries that still lack a translation (after `make messages`).

.venv/bin/python scripts/untranslated.py
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "qcity" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main() -> int:
    text = PO.read_text(encoding="utf-8")
    missing = []
    for block in text.split("\n\n"):
        if block.startswith("#~") or 'msgid ""\nmsgstr ""\n"Project' in block:
            continue
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', block.split("msgstr")[0], flags=re.M))
        strs = re.findall(r'msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block)
        empty = any(not (head + "".join(re.findall(r'"(.*)"', tail))) for head, tail in strs)
        if msgid and (empty or fuzzy):
            missing.append(msgid)
    for msgid in missing:
        print(msgid)
    print(f"{len(missing)} untranslated", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
