"""Day counts and thresholds the inspection app reads (REFERENCE.md §2, §4, §12).

Confidence tags follow REFERENCE.md: V verified in the full text, S secondary source,
U unverified, L our own configurable default. Pure modules (draw, stats, tables) take these
values as parameters; the app reads them from the Rule table.
"""

from decimal import Decimal

from qcity.core.rulespec import Confidence, RuleSpec, ValueKind

V, S, U, L = Confidence.VERIFIED, Confidence.SECONDARY, Confidence.UNVERIFIED, Confidence.LOCAL
WD, CD, MONTHS = ValueKind.WORKING_DAYS, ValueKind.CALENDAR_DAYS, ValueKind.MONTHS
PCT, NUM, TEXT = ValueKind.PERCENT, ValueKind.NUMBER, ValueKind.TEXT

_RISK = "国市监信发〔2022〕6号 关于推进企业信用风险分类管理进一步提升监管效能的意见（分类定向）；比例取河南省2021年双随机抽查实例"
_FOOD = "食品安全抽样检验管理办法（市场监管总局令第15号）"
_PROD = "产品质量监督抽查管理暂行办法（市场监管总局令第18号）"

RULES = [
    # §2 双随机一公开 and credit-risk classes
    RuleSpec(
        "inspection.draw.ratio_a",
        "A类（信用风险低）企业抽查比例",
        Decimal("1"),
        PCT,
        _RISK,
        S,
        "A类“无事不扰”，可降低比例和频次",
    ),
    RuleSpec(
        "inspection.draw.ratio_b",
        "B类（信用风险一般）企业抽查比例",
        Decimal("2"),
        PCT,
        _RISK,
        S,
        "常规比例",
    ),
    RuleSpec(
        "inspection.draw.ratio_c",
        "C类（信用风险较高）企业抽查比例",
        Decimal("10"),
        PCT,
        _RISK,
        S,
        "提高比例和频次",
    ),
    RuleSpec(
        "inspection.draw.ratio_d",
        "D类（信用风险高）企业抽查比例",
        Decimal("30"),
        PCT,
        _RISK,
        S,
        "大幅提高比例和频次",
    ),
    RuleSpec(
        "inspection.draw.ratio_zero_report",
        "年报财务数据全为零企业抽查比例",
        Decimal("100"),
        PCT,
        "河南省2021年双随机抽查实例",
        S,
    ),
    RuleSpec(
        "inspection.draw.default_ratio",
        "未分类时的最低抽查比例",
        Decimal("5"),
        PCT,
        "县级实施细则实例（法律法规未规定比例时不低于5%）",
        S,
    ),
    RuleSpec(
        "inspection.draw.min_team_size",
        "每户检查人员最少人数",
        2,
        NUM,
        "双随机一公开工作要求：检查人员不少于2名",
        S,
        "draw.py 同时以2为下限校验",
    ),
    RuleSpec(
        "inspection.draw.recent_avoid_n",
        "回避该企业最近几次检查的人员（次数）",
        3,
        NUM,
        "本地配置",
        L,
        "0 表示不启用",
    ),
    RuleSpec(
        "inspection.draw.workload_cap", "单次抽取中每名检查人员最多检查户数", 20, NUM, "本地配置", L
    ),
    RuleSpec(
        "inspection.draw.result_publication_working_days",
        "双随机抽查结果公示期限",
        20,
        WD,
        "国发〔2019〕5号（常被引用，原文未核实）；一般规则见企业信息公示暂行条例第六条",
        U,
    ),
    # §4 food sampling (食品安全抽样检验管理办法; 食品安全法)
    RuleSpec(
        "inspection.food.record_retention_months",
        "抽样检验记录保存期限",
        24,
        MONTHS,
        f"{_FOOD}第十九条",
        S,
    ),
    RuleSpec(
        "inspection.food.sample_delivery_working_days",
        "样品及文书送达检验机构期限",
        5,
        WD,
        f"{_FOOD}第二十条",
        S,
    ),
    RuleSpec(
        "inspection.food.report_working_days",
        "检验机构出具检验报告期限（自收到样品）",
        20,
        WD,
        f"{_FOOD}第二十四条",
        S,
    ),
    RuleSpec(
        "inspection.food.backup_retention_pass_months",
        "复检备份样品保存期限（合格）",
        3,
        MONTHS,
        f"{_FOOD}第二十五条",
        S,
        "保质期短于该期限的保存至保质期届满",
    ),
    RuleSpec(
        "inspection.food.backup_retention_fail_months",
        "复检备份样品保存期限（不合格）",
        6,
        MONTHS,
        f"{_FOOD}第二十五条",
        S,
        "保质期短于该期限的保存至保质期届满",
    ),
    RuleSpec(
        "inspection.food.lab_fail_report_working_days",
        "检验机构报告不合格结果期限",
        2,
        WD,
        _FOOD,
        U,
    ),
    RuleSpec(
        "inspection.food.fail_notice_working_days",
        "向被抽样经营者和生产者送达不合格结论期限",
        5,
        WD,
        _FOOD,
        U,
    ),
    RuleSpec(
        "inspection.food.retest_request_working_days",
        "申请复检期限（自收到检验结论）",
        7,
        WD,
        "中华人民共和国食品安全法第八十八条",
        V,
    ),
    RuleSpec(
        "inspection.food.objection_working_days",
        "对抽样程序、样品真实性提出异议期限",
        7,
        WD,
        _FOOD,
        S,
    ),
    RuleSpec(
        "inspection.food.retest_lab_working_days",
        "确定复检机构期限（自出具受理通知书）",
        5,
        WD,
        f"{_FOOD}第三十二条",
        S,
    ),
    RuleSpec(
        "inspection.food.retest_lab_extension_working_days",
        "确定复检机构可延长期限",
        5,
        WD,
        f"{_FOOD}第三十二条",
        S,
    ),
    RuleSpec(
        "inspection.food.rapid_test_retest_hours",
        "快检结果异议复检时限（小时）",
        4,
        NUM,
        "中华人民共和国食品安全法第八十八条",
        V,
        "复检不得采用快速检测方法",
    ),
    RuleSpec("inspection.food.disposal_days", "核查处置完成期限", 90, CD, _FOOD, U),
    RuleSpec(
        "inspection.food.risk_control_days",
        "收到不合格结论后采取封存、暂停销售、召回等风险控制措施期限",
        0,
        CD,
        f"{_FOOD}第三十九条",
        S,
        "立即（0日）；复检和异议期间不停止履行",
    ),
    RuleSpec(
        "inspection.food.retest_excluded_items",
        "不予复检的检验项目（微生物指标，按项目名称关键词）",
        "菌落总数,大肠菌群,大肠埃希氏菌,沙门氏菌,金黄色葡萄球菌,霉菌,酵母,李斯特氏菌,"
        "副溶血性弧菌,蜡样芽胞杆菌,志贺氏菌,商业无菌,克罗诺杆菌,溶血性链球菌,铜绿假单胞菌,"
        "产气荚膜梭菌,乳酸菌,双歧杆菌",
        TEXT,
        f"{_FOOD}第三十三条（不予复检情形：微生物指标超标）",
        S,
        "REFERENCE §4 据二手来源；条号未在原文核实。逗号分隔，项目名称包含任一关键词即为微生物指标",
    ),
    # §4 product 监督抽查 (产品质量法; 总局令第18号)
    RuleSpec(
        "inspection.product.objection_days",
        "对抽查检验结果提出异议期限（自收到结果）",
        15,
        CD,
        "中华人民共和国产品质量法第十五条",
        V,
    ),
    RuleSpec(
        "inspection.product.objection_decision_working_days",
        "异议受理决定期限",
        3,
        WD,
        "地方实施实例",
        S,
    ),
    RuleSpec(
        "inspection.product.fail_notice_working_days",
        "向被抽样生产者、销售者送达不合格检验结果期限",
        5,
        WD,
        "本地配置（REFERENCE §4：总局令第18号的送达天数未查到）",
        L,
    ),
    RuleSpec(
        "inspection.product.stop_sale_days",
        "收到不合格结果后停止生产、销售同一产品期限",
        0,
        CD,
        f"{_PROD}第四十五条",
        S,
        "立即（0日）；异议和复检期间不停止履行",
    ),
    RuleSpec(
        "inspection.product.retest_days",
        "受理异议后作出复检结论期限",
        30,
        CD,
        "本地配置（REFERENCE §4 未查到期限）",
        L,
    ),
    RuleSpec(
        "inspection.product.rectification_days", "责令整改期限", 60, CD, f"{_PROD}第四十六条", S
    ),
    RuleSpec(
        "inspection.product.recheck_days",
        "整改后复查期限（自责令整改）",
        75,
        CD,
        f"{_PROD}第四十七条",
        S,
    ),
    RuleSpec(
        "inspection.product.second_recheck_min_days",
        "公告后再次复查最早日（自公告）",
        60,
        CD,
        f"{_PROD}第四十八条",
        S,
    ),
    RuleSpec(
        "inspection.product.second_recheck_max_days",
        "公告后再次复查最晚日（自公告）",
        90,
        CD,
        f"{_PROD}第四十八条",
        S,
    ),
    # §12 published tables and pass-rate statistics
    RuleSpec(
        "inspection.tables.header_scan_rows",
        "识别表头时扫描的行数",
        30,
        NUM,
        "本地配置",
        L,
        "tables.find_header 的 scan 参数",
    ),
    RuleSpec(
        "inspection.tables.min_header_columns",
        "认定为表头所需的可识别列名数",
        3,
        NUM,
        "本地配置",
        L,
    ),
    RuleSpec(
        "inspection.stats.confidence_percent",
        "合格率区间估计的置信水平",
        Decimal("95"),
        PCT,
        "本地配置",
        L,
        "Wilson 评分区间",
    ),
]
