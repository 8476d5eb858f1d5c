"""Random but plausible company facts, and the ways documents print them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from journey.credit_code import generate as generate_code

CITIES = ["北京", "上海", "深圳", "杭州", "苏州", "成都", "南京", "武汉", "广州", "天津"]
WORDS = ["华信", "瑞丰", "恒达", "中科", "远航", "金桥", "新元", "宏图", "安泰", "东方",
         "鼎盛", "海川", "嘉禾", "永利", "天成", "博远", "盛世", "明德", "广源", "润通"]
TRADES = ["科技", "贸易", "建设工程", "物流", "新材料", "医药", "电子", "能源", "食品",
          "机械制造", "信息技术", "环保科技"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司"]
TYPES = ["有限责任公司（自然人投资或控股）", "有限责任公司（法人独资）",
         "股份有限公司（非上市）", "其他有限责任公司", "有限责任公司（国有独资）"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
DISTRICTS = ["朝阳区", "海淀区", "浦东新区", "南山区", "西湖区", "工业园区", "武侯区", "鼓楼区"]
ROADS = ["建国路", "中关村大街", "世纪大道", "科技园南路", "文三路", "星湖街", "天府大道", "中山路"]
SCOPES = ["技术开发", "技术咨询", "技术服务", "销售电子产品", "货物进出口", "软件开发",
          "计算机系统服务", "仓储服务", "建筑材料销售", "企业管理咨询", "会议服务", "机械设备租赁"]
DIGITS_UPPER = "零壹贰叁肆伍陆柒捌玖"


@dataclass
class Company:
    name: str
    credit_code: str
    legal_representative: str
    capital_wan: int
    established_on: date
    address: str
    company_type: str
    business_scope: str


def company(rng: random.Random) -> Company:
    city = rng.choice(CITIES)
    name = city + rng.choice(WORDS) + rng.choice(TRADES) + rng.choice(FORMS)
    rep = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
    address = (f"{city}市{rng.choice(DISTRICTS)}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
               + rng.choice(["", f"{rng.randint(1, 30)}层", f"{rng.randint(1, 9)}号楼"]))
    scope = "；".join(rng.sample(SCOPES, rng.randint(0, 4)))
    return Company(
        name=name,
        credit_code=generate_code(rng),
        legal_representative=rep,
        capital_wan=rng.choice([50, 100, 200, 300, 500, 800, 1000, 2000, 3000, 5000, 8000,
                                10000, 12000, 25000]),
        established_on=date(rng.randint(1995, 2022), rng.randint(1, 12), rng.randint(1, 28)),
        address=address,
        company_type=rng.choice(TYPES),
        business_scope=scope + ("。" if scope else ""),
    )


def upper_numeral(n: int) -> str:
    """Financial upper-case Chinese numeral for 0 < n < 10^8 (伍仟万, 壹亿贰仟万 ...)."""
    def below_10k(x: int) -> str:
        out, zero = "", False
        for unit, div in (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1)):
            d = x // div % 10
            if d:
                out += ("零" if zero and out else "") + DIGITS_UPPER[d] + unit
                zero = False
            else:
                zero = True
        return out

    yi, wan, rest = n // 10**8, n // 10**4 % 10**4, n % 10**4
    out = (below_10k(yi) + "亿") if yi else ""
    if wan:
        out += ("零" if yi and wan < 1000 else "") + below_10k(wan) + "万"
    if rest:
        out += ("零" if (yi or wan) and rest < 1000 else "") + below_10k(rest)
    return out


def capital_text(capital_wan: int, rng: random.Random) -> str:
    style = rng.choice(["upper", "rmb", "plain"])
    if style == "upper":
        return upper_numeral(capital_wan * 10_000) + "元整"
    if style == "rmb":
        return f"人民币{capital_wan}万元"
    return f"{capital_wan}万元"


def date_text(d: date, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    return f"{d.year}年{d.month}月{d.day}日"


def amount_text(value: Decimal) -> str:
    text = f"{abs(value):,.2f}"
    return f"-{text}" if value < 0 else text
