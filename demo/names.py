"""Realistic Chinese names, addresses, phone numbers and VINs for the demo network."""

import itertools

from sales.vin import check_digit

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# The most common surnames carry most people.
SURNAME_CUM_WEIGHTS = list(itertools.accumulate(max(12 - i // 4, 1) for i in range(len(SURNAMES))))
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕文婷晓明晓燕宇轩浩然子涵欣怡"
    "梓涵一诺雨桐思远俊杰佳怡鹏飞晨曦天佑嘉怡博文梦琪颖慧国庆红梅玉兰春燕德华永强丹丹磊磊小龙"
)
_GIVEN_CHARS = tuple(GIVEN)

ROADS = (
    "人民",
    "解放",
    "中山",
    "建设",
    "和平",
    "新华",
    "胜利",
    "文化",
    "长江",
    "黄河",
    "朝阳",
    "光明",
    "友谊",
    "幸福",
    "滨江",
    "迎宾",
    "工业",
    "学府",
    "青年",
    "育才",
    "东风",
    "北京",
    "上海",
    "延安",
    "世纪",
    "金桥",
    "花园",
    "振兴",
    "团结",
    "民主",
    "复兴",
    "长安",
    "科技",
    "创业",
    "发展",
    "前进",
    "环城",
    "站前",
    "府前",
    "体育",
    "公园",
    "南湖",
    "西湖",
    "龙华",
    "凤凰",
    "锦绣",
    "经海",
    "汽车城",
    "物流园",
    "开发",
)
ROAD_SUFFIXES = ("路", "路", "路", "大道", "大街", "东路", "西路", "南路", "北路", "中路")

PARTNER_PREFIXES = (
    "速修",
    "安途",
    "鑫达",
    "顺通",
    "宏达",
    "金诚",
    "恒通",
    "佳美",
    "永盛",
    "路邦",
    "车之家",
    "万通",
    "华诚",
    "众诚",
    "骏驰",
    "驰骋",
    "诚信",
    "友邦",
    "捷途",
    "蓝天",
    "盛达",
    "惠民",
    "新时代",
    "快捷",
    "车博士",
    "途安",
    "欣旺",
    "锦程",
    "车管家",
    "车益佳",
    "好修",
    "卡友",
    "通达",
    "瑞丰",
    "祥和",
    "德众",
)
PARTNER_SUFFIXES = (
    "汽车服务",
    "养车",
    "汽修厂",
    "汽车维修中心",
    "快修",
    "车业",
    "汽车养护",
    "钣喷中心",
    "轮胎快修",
    "新能源车服",
    "汽车美容养护",
    "修理厂",
    "汽车服务中心",
    "车服连锁",
)
CHINESE_NUMERALS = "一二三四五六七八九十"

MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)


def person_name(rng) -> str:
    surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
    length = 1 if rng.random() < 0.35 else 2
    return surname + "".join(rng.choice(_GIVEN_CHARS) for _ in range(length))


def road(rng) -> str:
    return rng.choice(ROADS) + rng.choice(ROAD_SUFFIXES)


def district_short(district: str) -> str:
    """朝阳 for 朝阳区, 浦东 for 浦东新区, 长安 for 长安镇; unchanged when nothing is left."""
    for suffix in ("新区", "街道", "区", "镇", "市"):
        if district.endswith(suffix) and len(district) - len(suffix) >= 2:
            return district[: -len(suffix)]
    return district


def partner_brand(rng) -> str:
    return rng.choice(PARTNER_PREFIXES) + rng.choice(PARTNER_SUFFIXES)


def ordinal(n: int) -> str:
    """二, 三 … for the second, third … store of a name (n from 2)."""
    return CHINESE_NUMERALS[n - 1] if n <= 10 else str(n)


def landline(rng, area_code: str) -> str:
    """A landline in the stored form `020-87654321`: 8 local digits, or 7 in some small cities."""
    digits = 8 if len(area_code) == 3 or rng.random() < 0.8 else 7
    first = str(rng.randint(2, 8))
    return f"{area_code}-{first}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"


def mobile(index: int) -> str:
    """The `index`-th of a sequence of distinct mobile numbers (a bijection, not random draws)."""
    prefix = MOBILE_PREFIXES[index % len(MOBILE_PREFIXES)]
    # Multiplying by a number coprime with 10^8 permutes the eight-digit suffixes.
    suffix = (index // len(MOBILE_PREFIXES) * 48_271 + 13_579_113) % 100_000_000
    return f"{prefix}{suffix:08d}"


# Goodcar's own manufacturer code and plants; VIN position 10 is the model year.
WMI = "LGN"
PLANTS = "ABCH"
YEAR_CODES = {2022: "N", 2023: "P", 2024: "R", 2025: "S", 2026: "T", 2027: "V"}
_VDS = {"GNC-A5": "A5E1B", "GNC-A5-LR": "A5E2L", "GNC-S7": "S7E3A", "GNC-M3": "M3E1C"}


def vin(index: int, model_code: str, year: int) -> str:
    """A valid VIN (check digit included), distinct for distinct `index` below 4,000,000."""
    plant = PLANTS[index % len(PLANTS)]
    serial = index // len(PLANTS)
    body = f"{WMI}{_VDS.get(model_code, 'X0E0A')}0{YEAR_CODES.get(year, 'T')}{plant}{serial:06d}"
    return body[:8] + check_digit(body) + body[9:]
