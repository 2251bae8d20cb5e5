from decimal import Decimal

import pytest

from qcity.inspection import values as V


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit"),
    [
        ("0.05 mg/kg", "number", "0.05", "mg/kg"),
        ("0.79g/kg", "number", "0.79", "g/kg"),
        ("０．０５ｍｇ／ｋｇ", "number", "0.05", "mg/kg"),
        ("≤0.1", "below", "0.1", ""),
        ("<0.01", "below", "0.01", ""),
        ("＜10 CFU/g", "below", "10", "CFU/g"),
        ("1.2×10³ CFU/g", "number", "1200", "CFU/g"),
        ("1.2E+03", "number", "1200", ""),
        ("1.2e3", "number", "1200", ""),
        ("5.0×10^2", "number", "500", ""),
        ("2.2×102 CFU/g", "number", "220", "CFU/g"),  # superscript lost
        ("3.5x10-2 mg/kg", "number", "0.035", "mg/kg"),
        ("4.1×10⁻² mg/kg", "number", "0.041", "mg/kg"),
        ("1,200 CFU/g", "number", "1200", "CFU/g"),
        (">1100 MPN/g", "above", "1100", "MPN/g"),
        ("ND", "not_detected", None, ""),
        ("未检出", "not_detected", None, ""),
        ("未檢出", "not_detected", None, ""),
        ("未检出（<0.01mg/kg）", "not_detected", "0.01", "mg/kg"),
        ("检出", "detected", None, ""),
        ("阴性", "negative", None, ""),
        ("阳性", "positive", None, ""),
        ("/", "empty", None, ""),
        ("见附件", "unparsed", None, ""),
    ],
)
def test_parse_value(text, kind, value, unit):
    m = V.parse_value(text)
    assert m.kind == kind
    assert m.value == (None if value is None else Decimal(value))
    assert m.unit == unit


@pytest.mark.parametrize(
    ("text", "kind", "low", "high"),
    [
        ("≤0.1", "range", None, "0.1"),
        ("≤0.5g/kg", "range", None, "0.5"),
        ("<=0.1mg/kg", "range", None, "0.1"),
        ("不大于 0.2 mg/kg", "range", None, "0.2"),
        ("≥12.0 %", "range", "12.0", None),
        ("不低于3.0g/100g", "range", "3.0", None),
        ("6.5~8.5", "range", "6.5", "8.5"),
        ("6.5-8.5", "range", "6.5", "8.5"),
        ("0.5～1.0 g/kg", "range", "0.5", "1.0"),
        ("不得检出", "absent", None, None),
        ("不得檢出", "absent", None, None),
        ("阴性", "negative", None, None),
        ("n=5,c=2,m=100,M=1000 CFU/g", "plan", None, None),
        ("0.1", "bare", None, "0.1"),
        ("/", "empty", None, None),
        ("按企业标准", "unparsed", None, None),
    ],
)
def test_parse_limit(text, kind, low, high):
    lim = V.parse_limit(text)
    assert lim.kind == kind
    assert lim.low == (None if low is None else Decimal(low))
    assert lim.high == (None if high is None else Decimal(high))


@pytest.mark.parametrize(
    ("value", "limit", "verdict"),
    [
        ("0.05 mg/kg", "≤0.1mg/kg", V.PASS),
        ("0.1", "≤0.1", V.PASS),
        ("0.1", "<0.1", V.FAIL),
        ("0.79g/kg", "≤0.5g/kg", V.FAIL),
        ("790 mg/kg", "≤0.5g/kg", V.FAIL),  # unit conversion
        ("400 mg/kg", "≤0.5g/kg", V.PASS),
        ("2.2×102 CFU/g", "≤100 CFU/g", V.FAIL),
        ("<0.01", "≤0.1", V.PASS),
        ("<0.5", "≤0.1", V.UNKNOWN),  # the report allows both sides
        ("ND", "≤0.1", V.PASS),
        ("未检出", "不得检出", V.PASS),
        ("检出", "不得检出", V.FAIL),
        ("0.003mg/kg", "不得检出", V.FAIL),
        ("阳性", "阴性", V.FAIL),
        ("阴性", "阴性", V.PASS),
        ("10.5 %", "≥12.0 %", V.FAIL),
        ("7.0", "6.5~8.5", V.PASS),
        ("9.0", "6.5~8.5", V.FAIL),
        ("0.2", "/", V.UNKNOWN),
        ("0.2", "", V.UNKNOWN),
        ("0.2", None, V.UNKNOWN),
        ("150 CFU/g", "n=5,c=2,m=100,M=1000", V.UNKNOWN),
        ("0.2 mg/kg", "≤0.1 CFU/g", V.UNKNOWN),  # incomparable units
        ("0.2", "0.1", V.UNKNOWN),  # bare limit: no direction
        ("检出", "≤0.1", V.UNKNOWN),
        ("见报告", "≤0.1", V.UNKNOWN),
    ],
)
def test_judge(value, limit, verdict):
    j = V.judge(value, limit)
    assert j.verdict == verdict, j.reasons
    assert j.reasons


def test_judge_reasons_and_bare_option():
    j = V.judge("0.2", "/")
    assert "未给出标准值" in j.reasons[0]
    j = V.judge("0.2", "0.1", bare_limit_as="max")
    assert j.verdict == V.FAIL and "按最大限量比较" in j.reasons[0]
    j = V.judge("790 mg/kg", "≤0.5g/kg")
    assert any("换算" in r for r in j.reasons)
    j = V.judge("0.2", "≤0.5 mg/kg")
    assert any("结果未注明单位" in r for r in j.reasons) and j.verdict == V.PASS
