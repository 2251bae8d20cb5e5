"""Plan-document extractor (pure Python, no Django).

Reads a Chinese government plan (规划 / 实施方案 / 实施意见 / 工作要点 / 行动方案) from
.txt/.docx/.pdf/.html/.xlsx and extracts its facts, numbered tasks with responsible
units, and numeric targets. Entry points: :func:`extract_file`, :func:`extract_text`.
"""

from .api import extract_file, extract_text
from .errors import ExtractionError
from .model import Extraction

__all__ = ["Extraction", "ExtractionError", "extract_file", "extract_text"]
