import pytest

from daiban.organizations.models import Unit
from daiban.organizations.services import DATA_DIR, load_organisations


@pytest.mark.django_db
def test_both_jurisdictions_load_with_their_real_township_lists(youyang, dazu):
    yy = youyang.units.filter(kind=Unit.Kind.TOWNSHIP)
    dz = dazu.units.filter(kind=Unit.Kind.TOWNSHIP)
    assert yy.count() == 39
    assert yy.filter(township_kind="street").count() == 2
    assert dz.count() == 27
    assert dz.filter(township_kind="street").count() == 6
    assert set(dz.filter(township_kind="street").values_list("name", flat=True)) >= {"龙岗街道", "棠香街道"}
    assert youyang.parent.code == dazu.parent.code == "500000"


@pytest.mark.django_db
def test_each_jurisdiction_has_its_own_organisation(youyang, dazu):
    reform = youyang.units.get(kind=Unit.Kind.REFORM_OFFICE)
    assert reform.short_name == "县工改办"
    assert reform.parent.code == "zjw"  # 县工改办（办公室设在县住房城乡建委）
    assert (
        youyang.units.get(code="zwzx")
        .windows.filter(is_service_zone=True, location__contains="五楼")
        .exists()
    )
    assert dazu.units.get(kind=Unit.Kind.REFORM_OFFICE).short_name == "办理建筑许可专项小组办公室"
    assert dazu.units.filter(kind=Unit.Kind.GOVERNMENT_AFFAIRS_OFFICE, short_name="区政务管理办").exists()
    assert dazu.units.get(code="zwzx").windows.get().name == "社会投资建设项目帮代办综合窗口"
    for j in (youyang, dazu):
        parks = set(j.units.filter(kind=Unit.Kind.PARK).values_list("park_kind", flat=True))
        assert parks == {"industrial", "agricultural"}
    assert dazu.units.get(code="zjw").sections.filter(name="审批科").exists()


@pytest.mark.django_db
def test_loading_twice_changes_nothing(youyang):
    before = sorted(youyang.units.values_list("id", "code", "name"))
    load_organisations(path=DATA_DIR / "500242.toml")
    assert sorted(youyang.units.values_list("id", "code", "name")) == before
