"""Backup archives on disk: private file modes and optional encryption (issue 10, personal data).

等保 level 3 asks that backups of personal data are protected like the database itself. A
backup is written 0600 in a folder created 0700, through a temporary file renamed into place
(no half-written archive). When the deployer sets ``QCITY_BACKUP_KEY`` (a Fernet key from the
``cryptography`` package: AES-128-CBC with HMAC-SHA256), the archive is encrypted; restore
needs the same key and says so in Chinese when it is missing or wrong. docs/deploy.md explains.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.core.management.base import CommandError

MAGIC = b"QCITY-BACKUP-FERNET-1\n"
KEY_ENV = "QCITY_BACKUP_KEY"


def new_key() -> str:
    return Fernet.generate_key().decode()


def fernet(key: str | None = None) -> Fernet | None:
    """The cipher for ``key`` (default: $QCITY_BACKUP_KEY), or None when no key is set."""
    key = (key if key is not None else os.environ.get(KEY_ENV, "")).strip()
    if not key:
        return None
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError):
        raise CommandError(
            f"{KEY_ENV} 不是有效的备份密钥：应为 44 个字符的 Fernet 密钥，可用 `qcity backup --new-key` 生成"
        )


def write_private(path: Path, payload: bytes, key: str | None = None) -> bool:
    """Write ``payload`` to ``path`` as mode 0600 (encrypted when a key is set); True if encrypted."""
    path = Path(path)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    cipher = fernet(key)
    data = MAGIC + cipher.encrypt(payload) if cipher else payload
    tmp = path.with_name(f".{path.name}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # also when the temporary file was left by an earlier run
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return cipher is not None


def folder_is_shared(path: Path) -> bool:
    return bool(Path(path).parent.stat().st_mode & 0o077)


def read_archive(path: Path, key: str | None = None) -> bytes:
    """The plain .tar.gz bytes of a backup, decrypting it when it was written encrypted."""
    data = Path(path).read_bytes()
    if not data.startswith(MAGIC):
        return data
    cipher = fernet(key)
    if cipher is None:
        raise CommandError(f"该备份已加密：请将 {KEY_ENV} 设为备份时使用的密钥后再恢复")
    try:
        return cipher.decrypt(data[len(MAGIC) :])
    except InvalidToken:
        raise CommandError("备份密钥不对，无法解密该备份（也可能是备份文件已损坏）")
