"""Mainland China's 31 provincial-level divisions: full names, accepted short forms, population.

Population (millions, 2020 census, rounded) spreads the demo network in proportion to people.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.TextChoices):
    BEIJING = "北京市", _("Beijing")
    TIANJIN = "天津市", _("Tianjin")
    HEBEI = "河北省", _("Hebei")
    SHANXI = "山西省", _("Shanxi")
    NEI_MONGOL = "内蒙古自治区", _("Inner Mongolia")
    LIAONING = "辽宁省", _("Liaoning")
    JILIN = "吉林省", _("Jilin")
    HEILONGJIANG = "黑龙江省", _("Heilongjiang")
    SHANGHAI = "上海市", _("Shanghai")
    JIANGSU = "江苏省", _("Jiangsu")
    ZHEJIANG = "浙江省", _("Zhejiang")
    ANHUI = "安徽省", _("Anhui")
    FUJIAN = "福建省", _("Fujian")
    JIANGXI = "江西省", _("Jiangxi")
    SHANDONG = "山东省", _("Shandong")
    HENAN = "河南省", _("Henan")
    HUBEI = "湖北省", _("Hubei")
    HUNAN = "湖南省", _("Hunan")
    GUANGDONG = "广东省", _("Guangdong")
    GUANGXI = "广西壮族自治区", _("Guangxi")
    HAINAN = "海南省", _("Hainan")
    CHONGQING = "重庆市", _("Chongqing")
    SICHUAN = "四川省", _("Sichuan")
    GUIZHOU = "贵州省", _("Guizhou")
    YUNNAN = "云南省", _("Yunnan")
    XIZANG = "西藏自治区", _("Tibet")
    SHAANXI = "陕西省", _("Shaanxi")
    GANSU = "甘肃省", _("Gansu")
    QINGHAI = "青海省", _("Qinghai")
    NINGXIA = "宁夏回族自治区", _("Ningxia")
    XINJIANG = "新疆维吾尔自治区", _("Xinjiang")


POPULATION_MILLIONS = {
    "北京市": 21.9, "天津市": 13.9, "河北省": 74.6, "山西省": 34.9, "内蒙古自治区": 24.0,
    "辽宁省": 42.6, "吉林省": 24.1, "黑龙江省": 31.9, "上海市": 24.9, "江苏省": 84.7,
    "浙江省": 64.6, "安徽省": 61.0, "福建省": 41.5, "江西省": 45.2, "山东省": 101.5,
    "河南省": 99.4, "湖北省": 57.8, "湖南省": 66.4, "广东省": 126.0, "广西壮族自治区": 50.1,
    "海南省": 10.1, "重庆市": 32.1, "四川省": 83.7, "贵州省": 38.6, "云南省": 47.2,
    "西藏自治区": 3.6, "陕西省": 39.5, "甘肃省": 25.0, "青海省": 5.9, "宁夏回族自治区": 7.2,
    "新疆维吾尔自治区": 25.9,
}  # fmt: skip

# Short forms as upstream systems write them: the name without its administrative suffix.
_SHORT_FORMS = {
    "北京": "北京市", "天津": "天津市", "河北": "河北省", "山西": "山西省", "内蒙古": "内蒙古自治区",
    "辽宁": "辽宁省", "吉林": "吉林省", "黑龙江": "黑龙江省", "上海": "上海市", "江苏": "江苏省",
    "浙江": "浙江省", "安徽": "安徽省", "福建": "福建省", "江西": "江西省", "山东": "山东省",
    "河南": "河南省", "湖北": "湖北省", "湖南": "湖南省", "广东": "广东省", "广西": "广西壮族自治区",
    "海南": "海南省", "重庆": "重庆市", "四川": "四川省", "贵州": "贵州省", "云南": "云南省",
    "西藏": "西藏自治区", "陕西": "陕西省", "甘肃": "甘肃省", "青海": "青海省", "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
}  # fmt: skip


def normalise_province(value: str) -> str | None:
    """The full name of a province given in full or short form, or None when it is not one."""
    value = (value or "").strip()
    if value in POPULATION_MILLIONS:
        return value
    return _SHORT_FORMS.get(value)
