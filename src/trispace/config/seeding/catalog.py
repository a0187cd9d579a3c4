"""The seeded catalog: categories, products with 1–3 variants, images and price lists.

Prices follow one retail price per variant: the brand's dealer price (55%), wholesale price
(72%) and member price (95%) derive from it through ``kernel.money.apply_rate``; some dealers
raise retail in their region and some stores mark a few variants down, so the price policy has
overrides at every level to resolve.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from trispace.catalog.models import (
    Category,
    Channel,
    Price,
    PriceList,
    Product,
    ProductImage,
    Variant,
)
from trispace.catalog.states import ProductStatus
from trispace.config.seeding import images
from trispace.kernel.money import Rounding, apply_rate

DEALER_PRICE_BPS = 5_500
WHOLESALE_BPS = 7_200
MEMBER_BPS = 9_500
DEALER_RETAIL_MARKUP_BPS = 10_500
STORE_MARKDOWN_BPS = 9_000
IMAGE_DIR = "products/seed"


@dataclass(frozen=True)
class Spec:
    name: str
    unit: str
    retail_fen: int


@dataclass(frozen=True)
class Template:
    name: str
    subtitle: str
    specs: tuple[Spec, ...]


def _t(name: str, subtitle: str, *specs: tuple[str, str, int]) -> Template:
    return Template(name, subtitle, tuple(Spec(*spec) for spec in specs))


CATALOG: dict[str, tuple[Template, ...]] = {
    "乳品": (
        _t("纯牛奶", "优质奶源 整箱更划算", ("250ml×12盒", "箱", 4990), ("250ml×24盒", "箱", 8990)),
        _t("原味酸奶", "低温发酵 口感醇厚", ("200g×8杯", "组", 2990)),
        _t("鲜牛奶", "巴氏杀菌 当日配送", ("950ml", "瓶", 1690), ("450ml", "瓶", 990)),
        _t("奶酪棒", "儿童零食 高钙", ("500g", "袋", 3990)),
        _t("高钙奶粉", "中老年配方", ("800g", "罐", 13800), ("400g", "袋", 7600)),
    ),
    "饮料": (
        _t(
            "天然矿泉水",
            "弱碱性 好水好健康",
            ("550ml×24瓶", "箱", 2880),
            ("550ml", "瓶", 200),
            ("4L", "桶", 990),
        ),
        _t("鲜榨橙汁", "100%果汁 无添加", ("1L", "瓶", 1590)),
        _t("无糖乌龙茶", "0糖0脂 解腻", ("500ml×15瓶", "箱", 6750), ("500ml", "瓶", 500)),
        _t("柠檬气泡水", "清爽解渴", ("330ml×12罐", "箱", 4200)),
        _t("椰子水", "天然电解质", ("1L", "瓶", 1890)),
    ),
    "零食": (
        _t("每日坚果", "7种坚果果干", ("25g×30袋", "盒", 12900), ("25g×7袋", "盒", 3490)),
        _t("海苔脆", "香脆可口", ("40g", "袋", 990)),
        _t("原味薯片", "经典原味", ("104g", "罐", 990), ("104g×3罐", "组", 2690)),
        _t("风干牛肉干", "高蛋白 真材实料", ("200g", "袋", 4580)),
        _t("苏打饼干", "酥脆不腻", ("400g", "盒", 1290)),
    ),
    "粮油": (
        _t("东北大米", "当季新米", ("5kg", "袋", 4990), ("10kg", "袋", 8990)),
        _t("压榨花生油", "物理压榨 一级", ("5L", "桶", 13990), ("1.8L", "桶", 5990)),
        _t("高筋面粉", "包子饺子通用", ("2.5kg", "袋", 2190)),
        _t("鸡蛋挂面", "劲道爽滑", ("1kg", "袋", 990)),
        _t("特级生抽", "酿造酱油", ("500ml", "瓶", 1290), ("1.28L", "瓶", 2590)),
    ),
    "日化": (
        _t("薰衣草洗衣液", "深层洁净 留香", ("3kg", "瓶", 4990), ("1kg", "袋", 1990)),
        _t("原木抽纸", "3层100抽", ("18包", "提", 3990)),
        _t("柠檬洗洁精", "不伤手", ("1.5kg", "瓶", 1590)),
        _t("美白牙膏", "清新口气", ("120g", "支", 1290), ("120g×3支", "组", 3290)),
        _t("去屑洗发水", "控油清爽", ("500ml", "瓶", 4590)),
    ),
    "生鲜": (
        _t("散养土鸡蛋", "农家散养 新鲜直达", ("30枚", "盒", 3990), ("10枚", "盒", 1490)),
        _t("红富士苹果", "脆甜多汁", ("5斤", "箱", 3990), ("10斤", "箱", 6990)),
        _t("黑猪五花肉", "冷鲜 当日屠宰", ("500g", "盒", 2990)),
        _t("冰鲜三文鱼", "刺身级", ("200g", "盒", 5990)),
        _t("有机菠菜", "基地直采", ("400g", "袋", 890)),
    ),
}
SERIES = ("", "家庭装", "礼盒装", "经典款", "升级款", "尝鲜装")


@dataclass
class CatalogResult:
    categories: int = 0
    products: int = 0
    variants: int = 0
    images: int = 0
    price_lists: int = 0
    prices: int = 0
    image_names: list[str] = field(default_factory=list)
    variant_ids: list[int] = field(default_factory=list)


def ean13(body: str) -> str:
    """Complete a 12-digit body with its EAN-13 check digit."""
    if len(body) != 12 or not body.isdigit():
        raise ValueError("an EAN-13 body has 12 digits")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def ean13_is_valid(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13(code[:12]) == code


def _round_price(fen: int) -> int:
    """To the nearest 10 fen, as shelf prices are."""
    return max(10, (fen + 5) // 10 * 10)


def pick_templates(count: int) -> list[tuple[str, Template, str]]:
    """``count`` products, taking the categories in turn so every category has some."""
    columns = list(CATALOG.items())
    picked: list[tuple[str, Template, str]] = []
    depth = 0
    while len(picked) < count:
        for category, templates in columns:
            if len(picked) == count:
                break
            template = templates[depth % len(templates)]
            series = SERIES[(depth // len(templates)) % len(SERIES)]
            cycle = depth // (len(templates) * len(SERIES))
            suffix = f"{series}{cycle + 1 if cycle else ''}"
            picked.append((category, template, suffix))
        depth += 1
    return picked


def build_catalog(
    *,
    brand_id: int,
    brand_name: str,
    dealer_ids: Sequence[int],
    store_ids: Sequence[int],
    count: int,
    rng: random.Random,
    code: str,
    with_images: bool = True,
) -> CatalogResult:
    result = CatalogResult()
    categories: dict[str, Category] = {}
    for position, name in enumerate(CATALOG):
        category, _ = Category.objects.get_or_create(
            parent=None, name=name, defaults={"position": position}
        )
        categories[name] = category
    result.categories = len(categories)

    picked = pick_templates(count)
    products = [
        Product(
            brand_id=brand_id,
            category=categories[category],
            name=f"{template.name}{(' ' + suffix) if suffix else ''}",
            subtitle=template.subtitle,
            description=f"{brand_name}精选{template.name}。{template.subtitle}。",
            status=ProductStatus.ON_SALE,
            position=index,
        )
        for index, (category, template, suffix) in enumerate(picked)
    ]
    products = Product.objects.bulk_create(products)
    result.products = len(products)

    variants: list[Variant] = []
    retail: dict[str, int] = {}
    for index, (product, (_, template, _suffix)) in enumerate(zip(products, picked, strict=True)):
        for position, spec in enumerate(template.specs):
            sku = f"{code}{index + 1:04d}-{position + 1}"
            variants.append(
                Variant(
                    product=product,
                    sku=sku,
                    name=spec.name,
                    barcode=ean13(f"69{23456:05d}{(index + 1) * 10 + position + 1:05d}"),
                    unit=spec.unit,
                    position=position,
                )
            )
            # A little spread so two series of one template do not cost the same.
            retail[sku] = _round_price(spec.retail_fen * rng.randint(95, 110) // 100)
    variants = Variant.objects.bulk_create(variants)
    result.variants = len(variants)
    result.variant_ids = [variant.pk for variant in variants]

    if with_images:
        image_rows = []
        for index, (product, (category_name, _template, _suffix)) in enumerate(
            zip(products, picked, strict=True)
        ):
            png = images.product_png(
                product.name.split(" ")[0],
                number=index + 1,
                hue=list(CATALOG).index(category_name),
                caption=brand_name,
            )
            name = default_storage.save(
                f"{IMAGE_DIR}/{code.lower()}-{index + 1:04d}.png", ContentFile(png)
            )
            result.image_names.append(name)
            image_rows.append(ProductImage(product=product, image=name, position=0))
        ProductImage.objects.bulk_create(image_rows)
        result.images = len(image_rows)

    lists: list[tuple[PriceList, dict[int, int]]] = []

    def add(channel: str, org_id: int, name: str, prices: dict[int, int]) -> None:
        lists.append((PriceList(channel=channel, organization_id=org_id, name=name), prices))

    by_id = {variant.pk: retail[variant.sku] for variant in variants}
    add(Channel.RETAIL, brand_id, "品牌零售价", dict(by_id))
    add(Channel.MEMBER, brand_id, "会员价", _derive(by_id, MEMBER_BPS))
    add(Channel.WHOLESALE, brand_id, "门店批发价", _derive(by_id, WHOLESALE_BPS))
    add(Channel.DEALER, brand_id, "经销商供货价", _derive(by_id, DEALER_PRICE_BPS))
    for n, dealer_id in enumerate(dealer_ids):
        if n % 3 == 1:  # a dealer in a dearer city raises retail on half the range
            chosen = rng.sample(sorted(by_id), k=max(1, len(by_id) // 2))
            add(
                Channel.RETAIL,
                dealer_id,
                "区域零售价",
                _derive({v: by_id[v] for v in chosen}, DEALER_RETAIL_MARKUP_BPS),
            )
    for n, store_id in enumerate(store_ids):
        if n % 10 == 3:  # a store clears a few lines
            chosen = rng.sample(sorted(by_id), k=min(len(by_id), rng.randint(2, 3)))
            add(
                Channel.RETAIL,
                store_id,
                "门店特价",
                _derive({v: by_id[v] for v in chosen}, STORE_MARKDOWN_BPS),
            )
    saved = PriceList.objects.bulk_create([price_list for price_list, _ in lists])
    result.price_lists = len(saved)
    prices = [
        Price(price_list=price_list, variant_id=variant_id, price_fen=fen)
        for price_list, (_, table) in zip(saved, lists, strict=True)
        for variant_id, fen in table.items()
    ]
    Price.objects.bulk_create(prices, batch_size=2_000)
    result.prices = len(prices)
    return result


def _derive(prices: dict[int, int], rate_bps: int) -> dict[int, int]:
    return {
        variant_id: _round_price(apply_rate(fen, rate_bps, Rounding.HALF_UP))
        for variant_id, fen in prices.items()
    }
