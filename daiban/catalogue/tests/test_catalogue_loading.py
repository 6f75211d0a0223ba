import datetime as dt
import re
import shutil

import pytest
from django.core.exceptions import ValidationError

from daiban.catalogue import services
from daiban.catalogue.models import ApprovalItem, CatalogueVersion, Material
from daiban.catalogue.services import (
    CatalogueDataError,
    catalogue_data_file,
    load_catalogue,
    publish_version,
    start_draft,
)
from daiban.common.stages import Stage
from daiban.organizations.models import Role

REFORM_ITEMS = {
    "企业投资项目备案",
    "建设用地规划许可证核发",
    "建设项目环境影响评价审批（报告表）",
    "生产建设项目水土保持方案审批",
    "建设工程规划许可证核发",
    "人防工程审批（防空地下室结建或易地建设）",
    "特殊建设工程消防设计审查",
    "建筑工程施工许可证核发",
    "城市建筑垃圾处置核准",
    "建设工程规划条件核实",
    "特殊建设工程消防验收",
    "房屋建筑和市政基础设施工程竣工验收备案",
    "不动产首次登记",
}


@pytest.mark.django_db
def test_both_catalogues_load_from_data_files_with_sources(youyang, dazu):
    for j in (youyang, dazu):
        items = ApprovalItem.objects.filter(jurisdiction=j, is_active=True)
        assert set(items.values_list("name", flat=True)) >= REFORM_ITEMS
        assert set(items.values_list("stage", flat=True)) == set(Stage.values)
        assert not items.filter(source="").exists()
        assert all(item.department.jurisdiction_id == j.id for item in items.select_related("department"))
        assert not items.filter(time_limit_days=0).exists()
    assert CatalogueVersion.objects.filter(version="2026.2").count() == 2


@pytest.mark.django_db
def test_local_override_sends_dazu_approvals_to_the_economy_commission(youyang, dazu):
    yy = ApprovalItem.objects.get(jurisdiction=youyang, code="project-approval")
    dz = ApprovalItem.objects.get(jurisdiction=dazu, code="project-approval")
    assert yy.department.code == "fgw"
    assert dz.department.code == "jxw"
    assert "大足区帮代办工作方案" in dz.source


@pytest.mark.django_db
def test_materials_fees_and_prerequisites(youyang):
    permit = ApprovalItem.objects.get(jurisdiction=youyang, code="construction-permit")
    assert permit.result_document.is_e_certificate
    assert permit.time_limit_days == 3
    assert {p.code for p in permit.prerequisites.all()} >= {
        "construction-planning-permit",
        "fire-design-review",
    }
    assert permit.materials.filter(is_key=True).exists()
    assert permit.materials.filter(is_key=False).exists()  # 容缺受理 is possible for some materials
    assert permit.is_free
    registration = ApprovalItem.objects.get(jurisdiction=youyang, code="first-real-estate-registration")
    assert not registration.is_free
    assert "2559" in registration.fees.get().legal_basis


@pytest.mark.django_db
def test_reloading_the_same_version_changes_nothing(youyang):
    version = CatalogueVersion.objects.get(jurisdiction=youyang)
    ids = sorted(ApprovalItem.objects.filter(jurisdiction=youyang).values_list("id", flat=True))
    assert load_catalogue(path=catalogue_data_file("500242")) == version
    assert sorted(ApprovalItem.objects.filter(jurisdiction=youyang).values_list("id", flat=True)) == ids


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    for f in services.DATA_DIR.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(services, "DATA_DIR", tmp_path)
    return tmp_path


@pytest.mark.django_db
def test_changed_content_needs_a_new_version(youyang, data_dir):
    f = data_dir / "500242.toml"
    f.write_text(
        f.read_text(encoding="utf-8") + "\n[overrides.construction-permit]\ntime_limit_days = 2\n", "utf-8"
    )
    with pytest.raises(CatalogueDataError, match="raise the version"):
        load_catalogue(path=f)
    f.write_text(f.read_text(encoding="utf-8").replace('version = "2026.2"', 'version = "2026.3"'), "utf-8")
    load_catalogue(path=f)
    permits = ApprovalItem.objects.filter(jurisdiction=youyang, code="construction-permit")
    assert {(p.version.version, p.time_limit_days, p.is_active) for p in permits} == {
        ("2026.2", 3, False),
        ("2026.3", 2, True),
    }
    first, second = CatalogueVersion.objects.filter(jurisdiction=youyang).order_by("id")
    assert (first.status, first.retired_on, second.status) == ("retired", second.effective_on, "in_force")
    # A version's rows are its own: the old version keeps its materials, prerequisites and fees.
    old = permits.get(version=first)
    assert old.materials.count() == 5
    assert {p.version_id for p in old.prerequisites.all()} == {first.pk}
    assert {p.version_id for p in permits.get(version=second).prerequisites.all()} == {second.pk}


@pytest.mark.django_db
def test_effective_date_from_the_file_and_never_before_the_version_in_force(youyang, data_dir):
    f = data_dir / "500242.toml"
    text = f.read_text(encoding="utf-8").replace('version = "2026.2"', 'version = "2026.3"')
    f.write_text(text.replace("base =", "effective_on = 2020-01-01\nbase ="), "utf-8")
    with pytest.raises(CatalogueDataError, match=re.escape("500242.toml: effective_on")):
        load_catalogue(path=f)
    f.write_text(text.replace("base =", "effective_on = 2999-01-01\nbase ="), "utf-8")
    with pytest.raises(CatalogueDataError, match=re.escape("500242.toml: effective_on")):
        load_catalogue(path=f)
    assert CatalogueVersion.objects.filter(jurisdiction=youyang).count() == 1
    assert ApprovalItem.objects.filter(jurisdiction=youyang, is_active=True).count() == 21


@pytest.mark.django_db
def test_a_first_version_dated_1900_is_refused(youyang, data_dir, make_staff):
    """With no version in force nothing bounds the date from below but the platform's one range."""
    version = CatalogueVersion.objects.get(jurisdiction=youyang)
    draft = start_draft(based_on=version, version="2026.9", by=make_staff(Role.ADMINISTRATOR, youyang))
    CatalogueVersion.objects.filter(pk=version.pk).update(status=CatalogueVersion.Status.RETIRED)
    with pytest.raises(ValidationError, match="2000-01-01"):
        publish_version(version=draft, by=None, effective_on=dt.date(1900, 1, 1))
    assert CatalogueVersion.objects.get(pk=draft.pk).status == CatalogueVersion.Status.DRAFT


def _entry(code: str, **fields: str) -> str:
    lines = [f'code = "{code}"', 'name = "测试事项"', 'stage = "construction_permit"', 'department = "zjw"']
    lines += ["legal_time_limit_days = 10", "time_limit_days = 5", 'result = { name = "测试结果" }']
    lines += ['source = "测试依据"', 'materials = [{ name = "申请表" }]']
    lines = [line for line in lines if line.split(" = ")[0] not in fields]
    lines += [f"{key} = {value}" for key, value in fields.items() if value]
    return "\n[[items]]\n" + "\n".join(lines) + "\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "error"),
    [
        # Each message names the file, the entry and the field.
        (
            '[overrides.land-use-planning-permit]\nprerequisites = ["construction-permit"]\n',
            "500242.toml: item .*: prerequisites: prerequisites form a cycle",
        ),
        (
            '[overrides.construction-permit]\ndepartment = "nowhere"\n',
            "500242.toml: item construction-permit: department: no department 'nowhere'",
        ),
        (
            '[overrides.construction-permit]\nsection = "nowhere"\n',
            "500242.toml: item construction-permit: section: no section",
        ),
        (
            "[overrides.construction-planning-permit]\ntime_limit_days = 30\n",
            "500242.toml: item construction-planning-permit: time_limit_days: "
            "committed 30 working days exceed the legal limit of 20",
        ),
        (
            '[overrides.construction-permit]\nstage = "stage-5"\n',
            "500242.toml: item construction-permit: stage: unknown stage",
        ),
        (
            '[overrides.construction-permit]\nlegal_time_limit_unit = "moons"\n',
            "500242.toml: item construction-permit: legal_time_limit_unit: unknown unit",
        ),
        (
            '[overrides.construction-permit]\ntime_limit_days = "three"\n',
            "500242.toml: item construction-permit: time_limit_days: 'three' is not a number",
        ),
        (
            '[overrides.construction-permit]\nsource = ""\n',
            "500242.toml: item construction-permit: source: is required",
        ),
        (
            '[overrides.construction-permit]\nmaterials = [{ name = "a" }, { name = "a" }]\n',
            "500242.toml: item construction-permit: materials: a material is listed twice",
        ),
        (
            '[overrides.construction-permit]\ncolour = "red"\n',
            "500242.toml: item construction-permit: colour: unknown key",
        ),
        ('[overrides.ghost]\nname = "x"\n', "500242.toml: override for unknown item 'ghost'"),
        (_entry("construction-permit"), "500242.toml: item construction-permit: code: appears twice"),
        (_entry("new-item", source=""), "500242.toml: item new-item: source: is required"),
        (
            _entry("new-item", prerequisites='["ghost"]'),
            "500242.toml: item new-item: prerequisites: unknown item 'ghost'",
        ),
        (
            _entry("new-item", result="{}"),
            "500242.toml: item new-item: result: give the result document's name",
        ),
    ],
)
def test_bad_catalogue_data_is_refused_whole(city, data_dir, extra, error):
    from daiban.organizations.services import DATA_DIR, load_organisations

    load_organisations(path=DATA_DIR / "500242.toml")
    f = data_dir / "500242.toml"
    f.write_text(f.read_text(encoding="utf-8") + "\n" + extra, "utf-8")
    with pytest.raises(CatalogueDataError, match=error):
        load_catalogue(path=f)
    assert not ApprovalItem.objects.exists()
    assert not Material.objects.exists()
    assert not CatalogueVersion.objects.exists()


@pytest.mark.django_db
def test_a_bad_new_version_leaves_the_version_in_force(youyang, data_dir):
    f = data_dir / "500242.toml"
    text = f.read_text(encoding="utf-8").replace('version = "2026.2"', 'version = "2026.3"')
    f.write_text(text + '\n[overrides.construction-permit]\ndepartment = "nowhere"\n', "utf-8")
    with pytest.raises(CatalogueDataError, match="department"):
        load_catalogue(path=f)
    assert list(CatalogueVersion.objects.values_list("version", "status")) == [("2026.2", "in_force")]
    assert ApprovalItem.objects.filter(is_active=True).count() == 21


@pytest.mark.django_db
def test_a_base_file_entry_is_named_by_its_own_file(city, data_dir):
    from daiban.organizations.services import DATA_DIR, load_organisations

    load_organisations(path=DATA_DIR / "500242.toml")
    base = data_dir / "chongqing-standard.toml"
    base.write_text(base.read_text(encoding="utf-8") + _entry("x-item", department='"nowhere"'), "utf-8")
    with pytest.raises(
        CatalogueDataError, match=re.escape("chongqing-standard.toml: item x-item: department")
    ):
        load_catalogue(path=data_dir / "500242.toml")
