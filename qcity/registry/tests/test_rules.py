from qcity.core.rulespec import Confidence, RuleSpec
from qcity.inspection.rules import RULES as INSPECTION
from qcity.registry.rules import RULES as REGISTRY


def test_rule_declarations():
    for prefix, rules in (("inspection.", INSPECTION), ("registry.", REGISTRY)):
        keys = [r.key for r in rules]
        assert len(keys) == len(set(keys))
        for r in rules:
            assert isinstance(r, RuleSpec) and r.key.startswith(prefix)
            assert r.name and r.source
            assert r.confidence in (
                Confidence.VERIFIED,
                Confidence.SECONDARY,
                Confidence.UNVERIFIED,
                Confidence.LOCAL,
            )
    ratios = {r.key: r.value for r in INSPECTION if r.key.startswith("inspection.draw.ratio_")}
    assert ratios["inspection.draw.ratio_a"] < ratios["inspection.draw.ratio_d"]
