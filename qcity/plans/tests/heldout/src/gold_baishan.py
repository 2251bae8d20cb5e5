# Written in simplified characters, converted with the same OpenCC s2t as the document.
import re
from opencc import OpenCC
from g import T, K, write

cc = OpenCC("s2t")


def tr(x):
    if isinstance(x, str):
        return cc.convert(x)
    if isinstance(x, list):
        return [tr(i) for i in x]
    if isinstance(x, dict):
        return {
            k: (tr(v) if k in ("indicator", "text", "title", "units") else v) for k, v in x.items()
        }
    return x


Y = 2027
targets = [
    T(
        "主导或参与制修订国际标准",
        ">=",
        8,
        "项",
        Y,
        "cumulative",
        "到2027年，……主导或参与制修订国际标准累计达到8项",
    ),
    T(
        "国家标准、行业标准",
        ">",
        150,
        "项",
        Y,
        "cumulative",
        "到2027年，……国家标准、行业标准累计超过150项",
    ),
    T(
        "团体标准“领跑者”企业",
        ">=",
        40,
        "家",
        Y,
        "new",
        "到2027年，……培育团体标准“领跑者”企业40家以上",
    ),
    T(
        "国家级标准化试点示范项目",
        ">=",
        12,
        "个",
        Y,
        "new",
        "到2027年，……建成国家级标准化试点示范项目12个",
    ),
    T("省级标准化试点示范项目", ">=", 30, "个", Y, "new", "到2027年，……建成……省级30个"),
    T(
        "企业标准自我声明公开数量",
        "~",
        10,
        "%",
        Y,
        "change",
        "到2027年，……企业标准自我声明公开数量年均增长10%左右",
    ),
    T(
        "重点产业标准体系覆盖率",
        ">=",
        90,
        "%",
        2026,
        "level",
        "到2026年，重点产业标准体系覆盖率达到90%",
    ),
    T("农业标准化示范区", ">=", 6, "个", None, "new", "建设农业标准化示范区6个"),
    T("蔬菜、水果生产标准化率", ">=", 75, "%", None, "level", "蔬菜、水果生产标准化率不低于75%"),
    T(
        "国家级服务业标准化试点",
        "range",
        [2, 3],
        "个",
        None,
        "new",
        "创建国家级服务业标准化试点2至3个",
    ),
    T("城市治理地方标准", ">=", 15, "项", 2025, "new", "到2025年发布城市治理地方标准十五项"),
    T("单位工业增加值能耗", ">=", 13.5, "%", None, "change", "单位工业增加值能耗比2022年下降13.5%"),
    T("“一站式”服务站", ">=", 20, "家", None, "new", "建设“一站式”服务站20家以上"),
    T("培训标准化人才", ">=", 500, "人次", None, "new", "每年培训标准化人才500人次"),
]
tasks = [
    K(
        "（一）",
        "二",
        "以标准引领产业升级",
        ["市工信局", "市市场监管局", "市发展改革委", "市科技局"],
    ),
    K("（二）", "二", "以标准支撑农业现代化", ["市农业农村局"]),
    K("（三）", "二", "以标准提升服务品质", ["市商务局", "市民政局", "市文化广电旅游局"]),
    K("（四）", "二", "以标准助力城市治理", ["市城管局", "市应急管理局", "市大数据局"]),
    K("（五）", "二", "以标准促进绿色低碳", ["市生态环境局", "市发展改革委"]),
    K("（六）", "二", "夯实质量基础设施", ["市市场监管局"]),
    K("（三）", "三", "强化人才培养", ["市教育局", "市人力资源社会保障局"]),
]
write(
    "baishan_shishi_yijian.txt",
    cc.convert("白杉市人民政府关于推进标准化高质量发展的实施意见"),
    "白杉市",
    [tr(t) for t in targets],
    [tr(k) for k in tasks],
)
# sanity: every task title / unit appears in the document with the pinyin glosses removed
doc = open("../docs/baishan_shishi_yijian.txt", encoding="utf-8").read()
plain = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ ]+\)", "", doc)
for k in tasks:
    k = tr(k)
    assert k["title"] in plain, k["title"]
    for u in k["units"]:
        assert u in plain, u
