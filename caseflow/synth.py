"""Synthetic ledgers and job postings for demos, tests and benchmarks; deterministic for a seed, streamed.

Every ID number is valid (area code of a real county, birth date, sequence of the right parity, checksum), so
a generated ledger imports cleanly; the people are invented.
"""

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from stdnum.cn import ric

from caseflow.domain.enums import Degree, HardshipKind, RegionLevel
from caseflow.domain.graduates import NewGraduate
from caseflow.domain.ledger import BY_FIELD
from caseflow.services.regions import reference_rows

GRADUATION = date(2026, 6, 30)
SURNAMES = ("王" * 9 + "李" * 9 + "张" * 8 + "刘" * 7 + "陈" * 6 + "杨" * 4 + "赵" * 3 + "黄" * 3 + "周" * 3
            + "吴" * 3 + "徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟"
            + "汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "慕容")
GIVEN = {"M": "伟强磊军洋勇杰涛明超浩宇轩博文俊鹏辉帅鑫晨阳昊天凯旭瑞哲宁峰毅航睿泽子一志家嘉思成远健",
         "F": "芳娜敏静丽婷雪欣怡佳琳萌悦颖雯晴梦琪璐倩瑶萱妍诗雨晓慧洁丹璇涵月思嘉若然桐语彤"}
MOBILE_PREFIXES = ("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 175 176 "
                   "177 178 180 181 182 183 185 186 187 188 189 191 193 195 198 199").split()
SCHOOLS = {
    ("22", "university"): ("吉林大学", "东北师范大学", "长春理工大学", "长春工业大学", "吉林财经大学", "吉林农业大学",
                           "长春师范大学", "吉林建筑大学", "北华大学", "吉林师范大学", "延边大学", "长春大学"),
    ("22", "college"): ("长春职业技术学院", "吉林交通职业技术学院", "吉林电子信息职业技术学院", "长春医学高等专科学校",
                        "吉林工业职业技术学院", "长春金融高等专科学校"),
    ("42", "university"): ("武汉大学", "华中科技大学", "华中师范大学", "武汉理工大学", "中南财经政法大学",
                           "华中农业大学", "湖北大学", "武汉科技大学", "湖北工业大学", "三峡大学", "长江大学",
                           "江汉大学"),
    ("42", "college"): ("武汉职业技术学院", "武汉船舶职业技术学院", "湖北职业技术学院", "武汉铁路职业技术学院",
                        "三峡职业技术学院", "襄阳职业技术学院", "长江职业学院"),
    ("", "university"): ("大连理工大学", "哈尔滨工业大学", "沈阳师范大学", "山东大学", "郑州大学", "湖南大学",
                         "南昌大学", "四川大学"),
}
# (code, name): undergraduate codes from the 普通高等学校本科专业目录, associate from the 2021 高职专科目录,
# postgraduate from the 学位授予和人才培养学科目录
MAJORS = {
    Degree.BACHELOR: (("080901", "计算机科学与技术"), ("080902", "软件工程"), ("080903", "网络工程"),
                      ("080910T", "数据科学与大数据技术"), ("080717T", "人工智能"), ("080701", "电子信息工程"),
                      ("080703", "通信工程"), ("080601", "电气工程及其自动化"), ("080202", "机械设计制造及其自动化"),
                      ("081001", "土木工程"), ("082502", "环境工程"), ("120203K", "会计学"), ("120204", "财务管理"),
                      ("120201K", "工商管理"), ("120202", "市场营销"), ("120206", "人力资源管理"),
                      ("120801", "电子商务"), ("120601", "物流管理"), ("020301K", "金融学"), ("020101", "经济学"),
                      ("020401", "国际经济与贸易"), ("030101K", "法学"), ("030302", "社会工作"),
                      ("040106", "学前教育"), ("040107", "小学教育"), ("050101", "汉语言文学"), ("050201", "英语"),
                      ("050207", "日语"), ("050301", "新闻学"), ("070101", "数学与应用数学"), ("071201", "统计学"),
                      ("100201K", "临床医学"), ("101101", "护理学"), ("100701", "药学"), ("090101", "农学"),
                      ("130502", "视觉传达设计"), ("130503", "环境设计"), ("120402", "行政管理")),
    Degree.ASSOCIATE: (("510201", "计算机应用技术"), ("510202", "计算机网络技术"), ("510203", "软件技术"),
                       ("530302", "大数据与会计"), ("530701", "电子商务"), ("530802", "现代物流管理"),
                       ("520201", "护理"), ("460104", "机械制造及自动化"), ("460701", "汽车制造与试验技术"),
                       ("570102K", "学前教育"), ("540101", "旅游管理"), ("500201", "铁道工程技术")),
    Degree.MASTER: (("081200", "计算机科学与技术"), ("085400", "电子信息"), ("125300", "会计"),
                    ("120200", "工商管理"), ("035101", "法律（非法学）"), ("045400", "应用心理"),
                    ("020200", "应用经济学"), ("050100", "中国语言文学")),
}
MAJORS[Degree.DOCTORATE] = MAJORS[Degree.MASTER]
DEGREE_WEIGHTS = {Degree.ASSOCIATE: 44, Degree.BACHELOR: 49, Degree.MASTER: 6.5, Degree.DOCTORATE: 0.5}
AGES = {Degree.ASSOCIATE: (21, 23), Degree.BACHELOR: (21, 24), Degree.MASTER: (24, 27), Degree.DOCTORATE: (26, 27)}
HARDSHIP_WEIGHTS = {HardshipKind.POVERTY_ALLEVIATED: 35, HardshipKind.MINIMUM_SUBSIDY: 30,
                    HardshipKind.ZERO_EMPLOYMENT: 10, HardshipKind.DISABLED: 15, HardshipKind.SPECIAL_HARDSHIP: 10}
DISABILITIES = ("肢体残疾四级", "视力残疾三级", "听力残疾四级", "肢体残疾三级")
# real counties outside the reference file: graduates registered there land in the province pool
# Retired GB/T 2260 codes that ID numbers and old ledgers still carry (九台市, 公主岭 under 四平; 随州市 as a
# county-level city, 汉阳县): no county of today serves them, so they wait in the province pool.
RETIRED_COUNTIES = {"22": ("220181", "220381"), "42": ("429001", "420121")}
OTHER_PROVINCES = (("210102", "辽宁省沈阳市"), ("230102", "黑龙江省哈尔滨市"), ("370102", "山东省济南市"),
                   ("410102", "河南省郑州市"), ("430102", "湖南省长沙市"), ("360102", "江西省南昌市"))
DEGREE_LABELS = {Degree.ASSOCIATE: "专科", Degree.BACHELOR: "本科", Degree.MASTER: "硕士", Degree.DOCTORATE: "博士"}
HARDSHIP_LABELS = {HardshipKind.POVERTY_ALLEVIATED: "脱贫家庭", HardshipKind.MINIMUM_SUBSIDY: "低保",
                   HardshipKind.ZERO_EMPLOYMENT: "零就业家庭", HardshipKind.DISABLED: "残疾",
                   HardshipKind.SPECIAL_HARDSHIP: "特困"}
IT, FINANCE, BUSINESS, RETAIL = "信息传输、软件和信息技术服务业", "金融业", "租赁和商务服务业", "批发和零售业"
# (title, industry, major-code prefixes wanted, minimum degree, monthly base salary in yuan)
JOBS = (
    ("Java开发工程师", IT, ["0809", "5102", "0812", "0854"], Degree.BACHELOR, 6500),
    ("软件测试工程师", IT, ["0809", "5102"], Degree.ASSOCIATE, 4800),
    ("网络运维工程师", IT, ["0809", "0807", "5102"], Degree.ASSOCIATE, 4500),
    ("数据分析师", IT, ["0809", "0712", "0701", "0202"], Degree.BACHELOR, 6500),
    ("客服专员", IT, [], None, 3500),
    ("会计", BUSINESS, ["1202", "5303", "1253"], Degree.ASSOCIATE, 4000),
    ("审计助理", BUSINESS, ["1202", "1253", "0203"], Degree.BACHELOR, 4500),
    ("人事专员", BUSINESS, ["1202", "1204"], Degree.ASSOCIATE, 4000),
    ("法务助理", BUSINESS, ["0301", "0351"], Degree.BACHELOR, 4500),
    ("银行柜员", FINANCE, ["0203", "0201", "1202"], Degree.BACHELOR, 4500),
    ("电商运营专员", RETAIL, ["1208", "5307", "1202"], Degree.ASSOCIATE, 4000),
    ("销售代表", RETAIL, [], None, 4000),
    ("仓储物流专员", "交通运输、仓储和邮政业", ["1206", "5308"], Degree.ASSOCIATE, 3800),
    ("护士", "卫生和社会工作", ["1011", "5202"], Degree.ASSOCIATE, 4000),
    ("药房药师", "卫生和社会工作", ["1007"], Degree.BACHELOR, 4200),
    ("幼儿园教师", "教育", ["0401", "5701"], Degree.ASSOCIATE, 3500),
    ("小学教师", "教育", ["0401", "0501", "0701"], Degree.BACHELOR, 4500),
    ("机械设计工程师", "制造业", ["0802", "4601"], Degree.BACHELOR, 5500),
    ("汽车装配技术员", "制造业", ["4607", "4601", "0802"], Degree.ASSOCIATE, 4500),
    ("电气工程师", "电力、热力、燃气及水生产和供应业", ["0806"], Degree.BACHELOR, 6000),
    ("施工员", "建筑业", ["0810", "5002"], Degree.ASSOCIATE, 4500),
    ("环境监测员", "水利、环境和公共设施管理业", ["0825"], Degree.ASSOCIATE, 4000),
    ("文案策划", "文化、体育和娱乐业", ["0501", "0503", "1305"], Degree.BACHELOR, 4500),
    ("旅游顾问", "租赁和商务服务业", ["5401"], None, 3500),
    ("农业技术员", "农、林、牧、渔业", ["0901"], Degree.ASSOCIATE, 3800),
    ("社区工作者", "公共管理、社会保障和社会组织", ["0303", "1204"], Degree.BACHELOR, 3500),
)
EMPLOYER_WORDS = "华信 鼎盛 瑞丰 恒通 博远 启航 金桥 长兴 汇智 新程 德润 宏图 睿达 远航 嘉禾 中盈".split()
EMPLOYER_KINDS = {IT: "科技有限公司", FINANCE: "银行股份有限公司", "卫生和社会工作": "医院", "教育": "教育集团",
                  "公共管理、社会保障和社会组织": "社区服务中心"}
CITY_PAY = {"4201": 1.25, "2201": 1.0}
LEDGER_FIELDS = ("id_number", "name", "gender", "phone", "school", "major_code", "major_name", "degree",
                 "graduation_date", "leaving_date", "origin", "hukou_area_code", "residence_area_code",
                 "archive_location", "hardship", "hardship_detail")


@cache
def _geography(province: str) -> dict:
    """Counties of the province (with their streets and city names) from the reference file."""
    rows = [row for row in reference_rows() if row["code"].startswith(province)]
    names = {row["code"]: row["name"] for row in rows}
    counties = [row["code"] for row in rows if row["level"] == RegionLevel.COUNTY]
    streets = {county: [row["code"] for row in rows if row["parent_code"] == county] for county in counties}
    if not counties:
        raise ValueError(f"no counties for province {province!r} in the reference regions")
    return {"names": names, "counties": counties, "streets": streets}


@cache
def _valid_area(area: str, year: int) -> bool:
    """stdnum also checks that the county existed in the birth year (夷陵区 only from 2001)."""
    number = f"{area}{year}0101001"
    return ric.is_valid(number + ric.calc_check_digit(number + "0"))


def _name(rng: random.Random, gender: str) -> str:
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.01 else rng.choice(SURNAMES)
    given = GIVEN[gender]
    return surname + "".join(rng.choice(given) for _ in range(1 if rng.random() < 0.25 else 2))


def _id_number(rng: random.Random, area: str, birth: date, gender: str, used: set[int]) -> str:
    while True:
        sequence = rng.randrange(1, 500) * 2 - (1 if gender == "M" else 0)  # odd for men, even for women
        body = f"{area}{birth:%Y%m%d}{sequence:03d}"
        if int(body) not in used:  # a ledger never has one person twice
            used.add(int(body))
            return body + ric.calc_check_digit(body + "0")


def _places(rng: random.Random, province: str) -> dict:
    """Household registration, residence, ID area and 生源地: mostly local; ~10% live elsewhere than
    registered; ~2% registered under a retired county code (they go to the province pool)."""
    geo = _geography(province)
    county = rng.choice(geo["counties"])
    origin = geo["names"][province] + geo["names"][county[:4]]
    roll = rng.random()
    if roll < 0.02:
        county = rng.choice(RETIRED_COUNTIES.get(province, geo["counties"]))
        return {"hukou": county, "residence": None, "id_area": county, "origin": geo["names"][province]}
    if roll < 0.12:
        residence = rng.choice(geo["counties"])
        if rng.random() < 0.5:
            area, origin = rng.choice(OTHER_PROVINCES)
            return {"hukou": area, "residence": residence, "id_area": area, "origin": origin}
        return {"hukou": county, "residence": residence, "id_area": county, "origin": origin}
    hukou = county
    if geo["streets"][county] and rng.random() < 0.3:
        hukou = rng.choice(geo["streets"][county])
    elif rng.random() < 0.03:
        hukou = county + "000000"  # the 12-digit statistical form of a county
    residence = hukou if rng.random() < 0.45 else None
    return {"hukou": hukou, "residence": residence, "id_area": county, "origin": origin}


def _hardship(rng: random.Random) -> tuple[tuple[str, ...], str | None]:
    if rng.random() >= 0.08:
        return (), None
    kinds = list(HARDSHIP_WEIGHTS)
    weights = list(HARDSHIP_WEIGHTS.values())
    chosen = rng.choices(kinds, weights)
    if rng.random() < 0.1:
        chosen = list(dict.fromkeys(chosen + rng.choices(kinds, weights)))
    detail = rng.choice(DISABILITIES) if HardshipKind.DISABLED in chosen else None
    return tuple(chosen), detail


def _school(rng: random.Random, province: str, degree: str) -> str:
    if degree == Degree.ASSOCIATE:
        return rng.choice(SCHOOLS.get((province, "college"), SCHOOLS[("22", "college")]))
    if rng.random() < 0.2:
        return rng.choice(SCHOOLS[("", "university")])
    return rng.choice(SCHOOLS.get((province, "university"), SCHOOLS[("22", "university")]))


def _graduate(rng: random.Random, province: str, used: set[int]) -> NewGraduate:
    gender = "M" if rng.random() < 0.52 else "F"
    degree = rng.choices(list(DEGREE_WEIGHTS), list(DEGREE_WEIGHTS.values()))[0]
    youngest, oldest = AGES[degree]
    birth = GRADUATION - timedelta(days=rng.randrange(youngest * 365, (oldest + 1) * 365 - 1))
    places = _places(rng, province)
    id_area = places["id_area"] if _valid_area(places["id_area"], birth.year) else province + "0102"
    major_code, major_name = rng.choice(MAJORS[degree])
    hardship, detail = _hardship(rng)
    school = _school(rng, province, degree)
    city = _geography(province)["names"].get(places["hukou"][:4])
    return NewGraduate(
        id_number=_id_number(rng, id_area, birth, gender, used), name=_name(rng, gender), gender=gender,
        birth_date=birth, school=school, major_name=major_name, degree=degree, graduation_date=GRADUATION,
        leaving_date=GRADUATION - timedelta(days=rng.randint(1, 8) - 1),  # left school by graduation day: every
        # contact after the handover falls after leaving school
        phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}" if rng.random() < 0.95 else None,
        major_code=major_code, origin=places["origin"], hukou_area_code=places["hukou"],
        residence_area_code=places["residence"],
        archive_location=f"{city}人才服务中心" if city and rng.random() < 0.7 else school,
        hardship=hardship, hardship_detail=detail)


def graduates(n: int, *, seed: int, province: str = "22") -> Iterator[NewGraduate]:
    """n distinct synthetic graduates of the 2026 cohort registered in the province, one at a time."""
    rng = random.Random(seed)
    used: set[int] = set()
    for _ in range(n):
        yield _graduate(rng, province, used)


def ledger_row(graduate: NewGraduate) -> list[str]:
    """A graduate as the cells of a ledger row, in LEDGER_FIELDS order, as a clerk would type them."""
    values = {**graduate.__dict__, "gender": "男" if graduate.gender == "M" else "女",
              "degree": DEGREE_LABELS[graduate.degree], "graduation_date": graduate.graduation_date.isoformat(),
              "leaving_date": graduate.leaving_date.isoformat(),
              "hardship": "、".join(HARDSHIP_LABELS[kind] for kind in graduate.hardship)}
    return ["" if values[field] is None else str(values[field]) for field in LEDGER_FIELDS]


def ledger_header() -> list[str]:
    return [BY_FIELD[field].header for field in LEDGER_FIELDS]


def write_ledger_csv(path: str | Path, n: int, *, seed: int, encoding: str = "utf-8-sig",
                     province: str = "22") -> Path:
    """Write an n-row ledger CSV (UTF-8 with BOM as Excel saves it by default; 'gbk' for older exports)."""
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ledger_header())
        for graduate in graduates(n, seed=seed, province=province):
            writer.writerow(ledger_row(graduate))
    return path


def write_ledger_xlsx(path: str | Path, n: int, *, seed: int, province: str = "22") -> Path:
    """Write an n-row ledger workbook, streamed (dates as Excel date cells, IDs as text)."""
    from openpyxl import Workbook

    path = Path(path)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(ledger_header())
    dates = (LEDGER_FIELDS.index("graduation_date"), LEDGER_FIELDS.index("leaving_date"))
    for graduate in graduates(n, seed=seed, province=province):
        cells: list = ledger_row(graduate)
        cells[dates[0]], cells[dates[1]] = graduate.graduation_date, graduate.leaving_date
        sheet.append(cells)
    workbook.save(path)
    return path


def job_postings(n: int, *, seed: int, province: str = "22", opened_on: date = date(2026, 7, 1)) -> list[dict]:
    """n job postings in the province's counties, open from `opened_on` for three weeks to a year, as JobPosting
    column values (the supply side of matching)."""
    rng = random.Random(seed)
    geo = _geography(province)
    postings = []
    for _ in range(n):
        title, industry, prefixes, degree, base = rng.choice(JOBS)
        county = rng.choice(geo["counties"])
        salary = round(base * CITY_PAY.get(county[:4], 0.85) * rng.uniform(0.9, 1.2), -2)
        employer = geo["names"][county[:4]].removesuffix("市") + rng.choice(EMPLOYER_WORDS)
        postings.append({
            "employer": employer + EMPLOYER_KINDS.get(industry, "有限公司"), "title": title, "area_code": county,
            "industry": industry, "major_prefixes": list(prefixes), "min_degree": degree and degree.value,
            "salary_min": int(salary), "salary_max": int(round(salary * rng.uniform(1.3, 1.8), -2)),
            "open_until": opened_on + timedelta(days=rng.randint(20, 365)),
            "closed_at": None, "closed_by": None, "created_at": None, "created_by": None, "updated_at": None})
    return postings
