"""统一社会信用代码 (USCC) validation and a demo-data generator. Pure Python, no Django.

Rules implemented (REFERENCE.md §6; GB 32100-2015):

* 18 characters (``registry.uscc.length``); the alphabet is 0-9 plus ABCDEFGHJKLMNPQRTUWXY
  (no I, O, Z, S, V).
* Position 18 is the check character: weights 3^(i-1) mod 31, C18 = 31 - (Σ Ci·Wi mod 31),
  where 31 maps to 0. The arithmetic is delegated to ``stdnum.cn.uscc``.
* ``stdnum`` additionally requires positions 1-8 to be digits. Positions 3-8 are the
  administrative-division code, so for them this is right. Position 1 (登记管理部门) and
  position 2 (机构类别) are digits for market-regulation registrations (91…, 92…, 93…),
  which are the ones this platform handles.

Messages are Chinese because they are shown next to the form field.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from stdnum import exceptions as _exc
from stdnum.cn import uscc as _uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18  # rule registry.uscc.length


class CreditCodeError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code  # machine-readable: length / character / checksum
        self.message = message


def compact(value: str) -> str:
    """Full-width to half-width, strip spaces and hyphens, upper-case."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in text if ch not in " -\u3000\t\r\n").upper()


def validate(value: str) -> str:
    """Return the compact code or raise ``CreditCodeError`` with a Chinese message."""
    code = compact(value)
    if len(code) != LENGTH:
        raise CreditCodeError("length", f"统一社会信用代码应为{LENGTH}位，当前为{len(code)}位")
    bad = [(pos, ch) for pos, ch in enumerate(code, 1) if ch not in ALPHABET]
    if bad and bad[0][0] == LENGTH:  # only the check character is outside the alphabet
        expected = _uscc.calc_check_digit(code[:17])
        raise CreditCodeError(
            "checksum", f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{code[17]}”"
        )
    if bad:
        pos, ch = bad[0]
        hint = "（代码中不使用字母I、O、Z、S、V）" if ch in "IOZSV" else ""
        raise CreditCodeError("character", f"统一社会信用代码第{pos}位“{ch}”为非法字符{hint}")
    nondigit = [pos for pos, ch in enumerate(code[:8], 1) if not ch.isdigit()]
    if nondigit:
        raise CreditCodeError(
            "character",
            f"统一社会信用代码第{nondigit[0]}位应为数字（前8位为登记机关、类别和行政区划代码）",
        )
    try:
        return _uscc.validate(code)
    except _exc.InvalidChecksum:
        expected = _uscc.calc_check_digit(code[:17])
        raise CreditCodeError(
            "checksum", f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{code[17]}”"
        ) from None
    except _exc.ValidationError as exc:  # pragma: no cover - covered by the checks above
        raise CreditCodeError("character", f"统一社会信用代码格式错误：{exc}") from None


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except CreditCodeError:
        return False
    return True


@dataclass(frozen=True)
class CreditCodeParts:
    authority: str  # 登记管理部门代码
    kind: str  # 机构类别代码
    division: str  # 行政区划代码
    subject: str  # 主体标识码 (former 组织机构代码)
    check: str


def parts(value: str) -> CreditCodeParts:
    code = validate(value)
    return CreditCodeParts(code[0], code[1], code[2:8], code[8:17], code[17])


# The division codes used for demo data; real validation does not check the division.
DEMO_DIVISIONS = ("330102", "330105", "330106", "330108", "330110", "330122", "330182")


def generate(rng: random.Random, *, kind: str = "1", division: str | None = None) -> str:
    """A valid market-regulation code (``9`` + kind + division + 9 random characters + check).

    Deterministic for a given ``rng`` state. ``kind``: 1 企业, 2 个体工商户, 3 农民专业合作社.
    """
    div = division or rng.choice(DEMO_DIVISIONS)
    if len(div) != 6 or not div.isdigit():
        raise ValueError("行政区划代码应为6位数字")
    body = "9" + kind + div + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + _uscc.calc_check_digit(body)
