"""Where the seed corpus is read from: one place for the tests and ``bench/extract``.

The seed corpus (real public plans, their hand-made gold and the reference scorer) is not part
of this repository. It is read from ``$QCITY_CORPUS`` (the older ``$QCITY_CORPUS_DIR`` is still
accepted), by default ``../shared/corpus`` beside the repository; a relative path is taken from
the repository root. Tests that need it carry the ``corpus`` marker: outside CI they are not run
when it is missing (one line in the summary says so), with ``CI=true`` they run and fail.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT = Path("..") / "shared" / "corpus"
REQUIRED = ("seeds", "gold", "score_extraction.py")


def corpus_dir() -> Path:
    value = os.environ.get("QCITY_CORPUS") or os.environ.get("QCITY_CORPUS_DIR") or DEFAULT
    path = Path(value).expanduser()
    return (path if path.is_absolute() else REPO_ROOT / path).resolve()


def corpus_present(path: Path | None = None) -> bool:
    path = corpus_dir() if path is None else path
    return all((path / part).exists() for part in REQUIRED)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def missing_message(path: Path | None = None) -> str:
    path = corpus_dir() if path is None else path
    return f"seed corpus not found at {path} (set QCITY_CORPUS)"


def seed_corpus() -> Path:
    """The corpus directory; fails the calling test with a clear message when it is missing."""
    path = corpus_dir()
    if not corpus_present(path):
        import pytest

        ci = " and CI=true requires it" if in_ci() else ""
        pytest.fail(f"{missing_message(path)}{ci}", pytrace=False)
    return path


_scorers: dict[Path, ModuleType] = {}


def shared_scorer() -> ModuleType:
    """The corpus's reference scorer ``score_extraction.py``, loaded as a module."""
    path = seed_corpus() / "score_extraction.py"
    if path not in _scorers:
        spec = importlib.util.spec_from_file_location("score_extraction", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _scorers[path] = module
    return _scorers[path]
