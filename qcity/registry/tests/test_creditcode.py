import random

import pytest

from qcity.registry import creditcode as cc


def test_reference_examples():
    assert cc.validate("91110000600037341L") == "91110000600037341L"
    with pytest.raises(cc.CreditCodeError) as e:
        cc.validate("91350100M000100Y4Z")
    assert e.value.code == "checksum" and "应为“3”" in e.value.message


def test_compacts_fullwidth_and_spaces():
    assert cc.validate(" ９１１１００００ 6000-37341l ") == "91110000600037341L"


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("9111000060003734", "length", "应为18位，当前为16位"),
        ("91110000600037341LL", "length", "当前为19位"),
        ("", "length", "当前为0位"),
        ("91110000600O37341L", "character", "第12位“O”为非法字符（代码中不使用字母"),
        ("9111000060003734#L", "character", "第17位“#”"),
        ("A1110000600037341L", "character", "第1位应为数字"),
        ("91110000600037342L", "checksum", "校验位错误"),
    ],
)
def test_errors(value, code, fragment):
    with pytest.raises(cc.CreditCodeError) as e:
        cc.validate(value)
    assert e.value.code == code
    assert fragment in str(e.value)
    assert not cc.is_valid(value)


def test_parts():
    p = cc.parts("91110000600037341L")
    assert (p.authority, p.kind, p.division, p.subject, p.check) == (
        "9",
        "1",
        "110000",
        "600037341",
        "L",
    )


def test_generator_valid_and_deterministic():
    a = [cc.generate(random.Random(7)) for _ in range(3)]
    assert len(set(a)) == 1
    rng = random.Random(42)
    codes = [cc.generate(rng) for _ in range(500)]
    assert all(cc.is_valid(c) for c in codes)
    assert len(set(codes)) == 500
    assert cc.generate(random.Random(1), kind="2", division="330106")[:8] == "92330106"
