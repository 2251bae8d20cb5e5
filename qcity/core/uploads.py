"""Upload limits and fingerprints shared by every module that accepts files.

The limit (``settings.QCITY_MAX_UPLOAD_MB``) is stated on each upload form and checked from the
declared size before a byte is read; each module words its own refusal. Files are recognised by
their SHA-256 (the same plan or result file uploaded twice).
"""

import hashlib

from django.conf import settings


def limit_mb() -> int:
    return int(settings.QCITY_MAX_UPLOAD_MB)


def too_large(uploaded) -> bool:
    size = getattr(uploaded, "size", None)
    return size is not None and size > limit_mb() * 1024 * 1024


def sha256_of(uploaded) -> str:
    """Hash an uploaded file chunk by chunk and rewind it for the next reader."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()
