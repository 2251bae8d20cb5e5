"""The indicator library is well formed, covers the gold plan targets, and matches sensibly.

The gold targets are read at run time from the seed corpus ($QCITY_CORPUS, by default
../shared/corpus; see qcity/core/testing_corpus.py). The coverage test is marked ``corpus``: when
the corpus is missing it is reported as not run outside CI and fails with CI=true.
"""

import json

import pytest

from qcity.core.testing_corpus import seed_corpus
from qcity.indicators.matching import (
    DEFAULT_THRESHOLD,
    core_form,
    extract_params,
    load_library,
    normalise,
    propose,
    validate_library,
)

MIN_COVERAGE = 0.90


def gold_targets() -> list[dict]:
    gold = seed_corpus() / "gold"
    files = sorted(gold.glob("*.json"))
    if not files:
        pytest.fail(f"gold annotations not found in {gold}")
    out = []
    for f in files:
        for t in json.loads(f.read_text(encoding="utf-8"))["targets"]:
            out.append({**t, "_doc": f.name})
    return out


@pytest.fixture(scope="module")
def library():
    return load_library()


def test_library_is_well_formed(library):
    assert validate_library(library) == []
    assert 80 <= len(library) <= 150
    for e in library:
        assert e["name"] and e["definition"], e["key"]
        if e["unit"] == "%":
            assert e["bounds"] == [0, 100]


@pytest.mark.corpus
def test_gold_coverage(library):
    targets = gold_targets()
    misses = []
    for t in targets:
        proposals = propose(t["indicator"], library)
        if not proposals or proposals[0][1] < DEFAULT_THRESHOLD:
            misses.append(f"{t['_doc']}: {t['indicator']}")
    covered = len(targets) - len(misses)
    share = covered / len(targets)
    print(f"\ngold coverage: {covered}/{len(targets)} = {share:.1%}")
    for m in misses:
        print("  miss:", m)
    assert share >= MIN_COVERAGE, f"coverage {share:.1%} below {MIN_COVERAGE:.0%}; misses: {misses}"


def top(text, library, **kw):
    proposals = propose(text, library, **kw)
    assert proposals, f"no proposal for {text}"
    return proposals[0]


# Expectations written for the library's meaning, not copied from any plan.
@pytest.mark.parametrize(
    "text, key",
    [
        ("食品抽检合格率", "food_sampling_pass_rate"),
        ("全市食品安全监督抽检合格率", "food_sampling_pass_rate"),
        ("药品抽检合格率", "drug_sampling_pass_rate"),
        ("食品药品抽检合格率", "food_drug_sampling_pass_rate"),
        ("工业产品监督抽查合格率", "product_supervision_pass_rate"),
        ("农产品质量安全例行监测合格率", "agri_product_monitoring_pass_rate"),
        ("蔬菜农药残留农产品质量安全监测合格率", "agri_product_monitoring_pass_rate"),
        ("房屋建筑工程竣工验收合格率", "construction_acceptance_pass_rate"),
        ("中国建设工程鲁班奖", "luban_award_projects"),
        ("中华老字号", "time_honored_brands"),
        ("某某市市长质量奖", "government_quality_award"),
        ("每万人口发明专利拥有量", "invention_patents_per_10k"),
        ("每万人口高价值发明专利拥有量", "high_value_patents_per_10k"),
        ("顾客满意度指数", "customer_satisfaction_index"),
        ("制造业质量竞争力指数", "mfg_quality_competitiveness_index"),
        ("检验检测机构", "testing_institutions"),
        ("绿色工厂", "green_factories"),
        ("新建高标准农田", "high_standard_farmland"),
        ("地理标志证明商标", "gi_trademarks"),
        ("12315消费投诉按期办结率", "complaint_on_time_rate"),
    ],
)
def test_semantic_spot_checks(library, text, key):
    assert top(text, library)[0] == key


def test_unrelated_indicators_get_no_forced_match(library):
    for text in ("森林覆盖率", "城镇居民人均可支配收入", "人口自然增长率", "PM2.5年均浓度"):
        assert propose(text, library) == [], text


def test_variant_parameters_are_extracted(library):
    key, _, params = top("食品评价性抽检合格率", library)
    assert key == "food_sampling_pass_rate" and params["sample_type"] == "评价性抽检"
    key, _, params = top("省级以上工业产品监督抽查合格率", library)
    assert key == "product_supervision_pass_rate" and params["level"] == "省级以上"
    key, _, params = top("中国质量奖（含提名奖）", library)
    assert key == "china_quality_award" and params["include_nomination"] is True
    key, _, params = top("国家级绿色工厂", library)
    assert params["level"] == "国家级"


def test_parameter_extraction_rules():
    schema = {
        "level": ["国家级", "省级以上", "省级", "市级"],
        "flag": {"type": "bool", "cues": ["提名"]},
    }
    assert extract_params("省级以上重点实验室", schema) == {"level": "省级以上"}
    assert extract_params("国家级、省级试点", schema) == {"level": ["国家级", "省级"]}
    assert extract_params("市场主体", schema) == {}  # 市场 is not 市级
    assert extract_params("某奖提名奖", schema) == {"flag": True}
    num = {"t": {"type": "number", "pattern": "过(\\d+)亿"}}
    assert extract_params("收入过500亿元的集群", num) == {"t": 500}


def test_normalisation():
    assert normalise("全市“食品”抽检合格率（％）") == "食品抽检合格率%"
    assert normalise("ＣＣＣ认证") == "ccc认证"
    assert core_form("新增国家级绿色工厂（家）") == "国家级绿色工厂"


def test_unit_nudges_but_never_forces(library):
    with_unit = propose("海洋生产总值", library, unit="亿元")
    assert with_unit[0][0] == "marine_gdp"
    assert propose("森林覆盖率", library, unit="%") == []
