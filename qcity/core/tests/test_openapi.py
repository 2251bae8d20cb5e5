"""The committed OpenAPI schema is the one the code generates (PATTERNS.md 14): an API change
shows up in review as a change to docs/api/openapi.yaml. Regenerate with
`qcity spectacular --file docs/api/openapi.yaml`."""

import re
from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.yaml"


def _comparable(text: str) -> str:
    # integer ranges come from the database backend (SQLite vs PostgreSQL field limits)
    return re.sub(r"^\s*(?:maximum|minimum): -?\d+\n|^\s*format: int64\n", "", text, flags=re.M)


def test_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated))
    assert COMMITTED.exists(), "docs/api/openapi.yaml is missing"
    assert _comparable(generated.read_text(encoding="utf-8")) == _comparable(
        COMMITTED.read_text(encoding="utf-8")
    ), (
        "the API changed: regenerate docs/api/openapi.yaml with `qcity spectacular --file docs/api/openapi.yaml`"
    )
