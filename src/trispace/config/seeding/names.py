"""Made-up but plausible Chinese names: people, stores, dealers, streets; and phone numbers.

Everything is drawn from a ``random.Random`` the caller seeds, so a seed is reproducible.
Phone numbers come from a bijection of a counter (never a retry loop), so they are unique by
construction and cost nothing to generate by the hundred thousand.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence

# The most common surnames, heaviest first (roughly their share of the population).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_WEIGHTS = [max(100 - i, 8) for i in range(len(SURNAMES))]

GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁"
    "欣怡梓涵子轩一诺雨桐可馨思远浩然晨阳佳琪嘉怡梦瑶博文志强建国海燕春梅晓东丹丹文杰雅琴婷婷亮亮"
)

STORE_KINDS = ("便利店", "超市", "生鲜店", "副食店", "烟酒店", "水果店", "百货", "粮油店", "便民店")
STORE_STYLES = ("{s}记{k}", "{s}姐{k}", "老{s}{k}", "{s}家{k}", "{w}{k}", "{w}{k}", "邻家{k}")
SHOP_WORDS = (
    "惠民",
    "好邻居",
    "万家",
    "便民",
    "佳佳",
    "鑫鑫",
    "福源",
    "乐购",
    "优品",
    "家家乐",
    "阳光",
    "康乐",
)
ROADS = (
    "文三路",
    "文二路",
    "学院路",
    "中山路",
    "解放路",
    "人民路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "黄河路",
    "延安路",
    "体育场路",
    "凤起路",
    "庆春路",
    "光明路",
    "幸福路",
    "友谊路",
    "胜利路",
    "朝阳路",
    "东风路",
    "南京路",
    "北京路",
    "青年路",
    "花园路",
    "滨江路",
    "湖滨路",
    "公园路",
    "工农路",
    "团结路",
    "振兴路",
    "丰收路",
    "桃源街",
    "梧桐街",
    "银杏街",
    "枫林路",
    "望江路",
    "古荡路",
    "莫干山路",
    "天目山路",
)
COMPANY_WORDS = (
    "恒达",
    "永盛",
    "鑫源",
    "汇通",
    "嘉禾",
    "万家",
    "华联",
    "宏远",
    "天成",
    "佳和",
    "瑞丰",
    "金禾",
)
COMPANY_SUFFIXES = ("商贸有限公司", "贸易有限公司", "食品有限公司", "供应链有限公司")

# Mobile prefixes by pool, so seeded consumers, seeded staff, the demo logins and benchmark
# samples never collide. 138 0000 0xxx is kept for the demo logins and the test factories.
CONSUMER_PREFIXES = ("139", "150", "151", "152", "157", "158", "159", "182", "183", "187", "188")
STAFF_PREFIXES = ("135", "136", "137")
SAMPLE_PREFIXES = ("166", "176", "177", "178", "199")


def person_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN_CHARS) for _ in range(length))


def store_name(rng: random.Random, road: str) -> str:
    """E.g. "张记便利店(文三路店)"."""
    style = rng.choice(STORE_STYLES)
    base = style.format(
        s=rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0],
        k=rng.choice(STORE_KINDS),
        w=rng.choice(SHOP_WORDS),
    )
    return f"{base}({road}店)"


def dealer_name(rng: random.Random, city: str) -> str:
    """E.g. "杭州恒达商贸有限公司"."""
    city = city.removesuffix("市")
    return f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_SUFFIXES)}"


def road(rng: random.Random) -> str:
    return rng.choice(ROADS)


class PhoneBook:
    """Unique, valid mainland mobile numbers (E.164) from a pool of prefixes.

    The n-th number is ``prefix[n % k]`` followed by ``n × A + B mod 10⁸`` with ``A`` coprime to
    10⁸: the eight digits alone are distinct for the first 10⁸ numbers, so the numbers are
    unique without any bookkeeping, and they look scattered rather than sequential.
    """

    _MULTIPLIER = 7_919_113  # odd and not a multiple of 5: coprime to 10^8
    _SPACE = 10**8

    def __init__(self, prefixes: Sequence[str], offset: int = 0, start: int = 0) -> None:
        self.prefixes = tuple(prefixes)
        self.offset = offset
        self._counter: Iterator[int] = itertools.count(start)

    def number(self, n: int) -> str:
        if not 0 <= n < self._SPACE:
            raise ValueError("a phone book holds 10^8 numbers")
        prefix = self.prefixes[n % len(self.prefixes)]
        body = (n * self._MULTIPLIER + self.offset) % self._SPACE
        return f"+86{prefix}{body:08d}"

    def next(self) -> str:
        return self.number(next(self._counter))

    def take(self, count: int) -> list[str]:
        return [self.next() for _ in range(count)]
