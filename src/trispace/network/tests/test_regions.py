from io import StringIO

import pytest
from django.core.management import call_command

from trispace.network.models import Region, RegionLevel
from trispace.network.regions import level_of, load_regions, read_rows, regions_fixture


def test_level_follows_the_code():
    assert level_of("330000") == RegionLevel.PROVINCE
    assert level_of("330100") == RegionLevel.CITY
    assert level_of("330106") == RegionLevel.DISTRICT


@pytest.mark.django_db
def test_loading_every_region_builds_the_tree_and_is_idempotent():
    first = load_regions()
    assert first.created > 3000
    assert first.updated == 0
    total = Region.objects.count()
    assert total == first.total

    xihu = Region.objects.select_related("parent__parent").get(code="330106")
    assert xihu.name == "西湖区"
    assert xihu.level == RegionLevel.DISTRICT
    assert (xihu.parent.code, xihu.parent.name) == ("330100", "杭州市")
    assert (xihu.parent.parent.code, xihu.parent.parent.name) == ("330000", "浙江省")
    assert xihu.parent.parent.parent_id is None
    assert xihu.lng == pytest.approx(120.130194)

    # A county-level city directly under its province has the province as parent.
    assert Region.objects.get(code="419001").parent_id == "410000"
    # Districts of a municipality hang under its city-level row.
    assert Region.objects.get(code="110105").parent_id == "110100"
    # Missing coordinates are inherited from the parent.
    taipei = Region.objects.get(code="710100")
    taiwan = Region.objects.get(code="710000")
    assert (taipei.lng, taipei.lat) == (taiwan.lng, taiwan.lat)
    assert taipei.lng is not None

    again = load_regions()
    assert (again.created, again.updated) == (0, total)
    assert Region.objects.count() == total


@pytest.mark.django_db
def test_fixture_loads_one_province_with_its_ancestors_only():
    result = regions_fixture(("3301",))
    codes = set(Region.objects.values_list("code", flat=True))
    assert {"330000", "330100", "330106"} <= codes
    assert all(code.startswith("33") for code in codes)
    assert result.total == len(codes) < 30


@pytest.mark.django_db
def test_command_prints_counts():
    out = StringIO()
    call_command("load_regions", "--prefix", "33", stdout=out)
    assert "created" in out.getvalue()
    count = Region.objects.count()
    out = StringIO()
    call_command("load_regions", "--prefix", "33", stdout=out)
    assert f"0 created, {count} updated" in out.getvalue()


def test_rows_parse_a_file_with_gaps(tmp_path):
    data = tmp_path / "adcodes.csv"
    data.write_text(
        "adcode,name,longitude,latitude\n"
        "330106000000,西湖区,,\n"
        "330000000000,浙江省,120.15,30.26\n"
        "330100000000,杭州市,120.2,30.24\n"
        "bad,,,\n",
        encoding="utf-8",
    )
    rows = {row.code: row for row in read_rows(data)}
    assert list(rows) == ["330000", "330100", "330106"]  # parents first
    assert rows["330106"].parent_code == "330100"
    assert (rows["330106"].lng, rows["330106"].lat) == (120.2, 30.24)
