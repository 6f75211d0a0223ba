"""The complete catalogue (issue #14): the items that were missing, each with its source; project types
that preselect items; 告知承诺制 items whose commitment letter stands in for materials; bad data refused."""

import shutil

import pytest
from django.urls import reverse

from daiban.catalogue import services
from daiban.catalogue.models import ApprovalItem, CatalogueVersion, Material, ProjectTemplate
from daiban.catalogue.services import CatalogueDataError, load_catalogue, start_draft

ADDED = {
    "land-pre-examination-site-selection": "建设项目用地预审与选址意见书核发",
    "temporary-land-use": "临时用地审批",
    "construction-drawing-review": "施工图设计文件审查（多图联审）",
    "road-occupation-excavation": "城市道路占用、挖掘许可",
    "drainage-permit": "城镇污水排入排水管网许可（排水许可）",
    "joint-acceptance": "工程建设项目竣工联合验收",
}


def _current(jurisdiction):
    return ApprovalItem.objects.filter(jurisdiction=jurisdiction, is_active=True)


def test_the_missing_items_are_there_with_sources_and_defaults_marked(youyang, dazu):
    for jurisdiction in (youyang, dazu):
        items = {i.code: i for i in _current(jurisdiction)}
        assert {code: items[code].name for code in ADDED} == ADDED
        assert all(i.source.strip() and i.legal_basis.strip() for i in items.values())
        assert all("待区县确认" in items[code].to_confirm for code in ADDED)
    review = _current(youyang).get(code="construction-drawing-review")
    assert "消防、人防、技防" in review.description  # 多图联审: one item
    assert "自然资规〔2019〕2号" in _current(youyang).get(code="land-pre-examination-site-selection").source


def test_lead_times_where_a_rule_gives_one(youyang):
    material = Material.objects.get(item__in=_current(youyang), name="公众参与说明")
    assert material.lead_time_days == 10 and "生态环境部令第4号" in material.note


def test_project_types_name_items_of_their_own_version(youyang):
    version = CatalogueVersion.objects.get(jurisdiction=youyang, status="in_force")
    templates = {t.code: t for t in ProjectTemplate.objects.filter(version=version)}
    assert set(templates) == {"small-low-risk", "general-social-investment", "industrial-with-scheme"}
    small = {i.code for i in templates["small-low-risk"].items.all()}
    assert {"construction-drawing-review", "joint-acceptance"} <= small and "eia-report-book" not in small
    assert all(i.version_id == version.pk for t in templates.values() for i in t.items.all())


def test_a_draft_copies_the_project_types(youyang, yy_supervisor):
    published = CatalogueVersion.objects.get(jurisdiction=youyang, status="in_force")
    draft = start_draft(based_on=published, version="2026.2-d", by=yy_supervisor)
    copied = ProjectTemplate.objects.get(version=draft, code="small-low-risk")
    assert {i.code for i in copied.items.all()} == {
        i.code for i in ProjectTemplate.objects.get(version=published, code="small-low-risk").items.all()
    }
    assert all(i.version_id == draft.pk for i in copied.items.all())


def test_the_guide_marks_commitment_and_defaults(youyang, client):
    url = reverse("catalogue:item_detail", args=[youyang.code, "construction-drawing-review"])
    page = client.get(url).content.decode()
    assert "告知承诺制" in page and "由告知承诺书代替" in page and "待区县确认" in page


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    for f in services.DATA_DIR.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(services, "DATA_DIR", tmp_path)
    return tmp_path


BAD = [
    (
        "replaced material without commitment",
        '[overrides.construction-permit]\nmaterials = [{ name = "申请表", by_commitment = true }]\n',
        "500242.toml: item construction-permit: materials: 申请表: by_commitment needs commitment = true",
    ),
    (
        "commitment without a letter",
        "[overrides.construction-permit]\ncommitment = true\n"
        'materials = [{ name = "申请表", by_commitment = true }]\n',
        "500242.toml: item construction-permit: commitment: list the commitment letter",
    ),
    (
        "lead time not a number of days",
        '[overrides.construction-permit]\nmaterials = [{ name = "申请表", lead_time_days = -1 }]\n',
        "500242.toml: item construction-permit: materials: 申请表: lead_time_days -1",
    ),
    (
        "sample not a web address",
        "[overrides.construction-permit]\n"
        'materials = [{ name = "申请表", sample = "javascript:alert(1)" }]\n',
        "500242.toml: item construction-permit: materials: 申请表: sample must be a web address",
    ),
    (
        "unknown material key",
        '[overrides.construction-permit]\nmaterials = [{ name = "申请表", colour = "red" }]\n',
        "500242.toml: item construction-permit: materials: 申请表: unknown key colour",
    ),
    (
        "template with an unknown item",
        '[[templates]]\ncode = "x"\nname = "X"\nsource = "s"\nitems = ["ghost"]\n',
        "500242.toml: template x: items: unknown item 'ghost'",
    ),
    (
        "template code twice",
        '[[templates]]\ncode = "small-low-risk"\nname = "X"\nsource = "s"\nitems = ["project-filing"]\n',
        "500242.toml: template small-low-risk: code: appears twice",
    ),
    (
        "template without a source",
        '[[templates]]\ncode = "x"\nname = "X"\nitems = ["project-filing"]\n',
        "500242.toml: template x: source: is required",
    ),
]


@pytest.mark.parametrize(("case", "extra", "error"), BAD, ids=[b[0] for b in BAD])
def test_bad_catalogue_data_is_refused_whole(city, data_dir, case, extra, error):
    from daiban.organizations.services import DATA_DIR, load_organisations

    load_organisations(path=DATA_DIR / "500242.toml")
    f = data_dir / "500242.toml"
    f.write_text(f.read_text(encoding="utf-8") + "\n" + extra, "utf-8")
    with pytest.raises(CatalogueDataError) as caught:
        load_catalogue(path=f)
    assert error in str(caught.value)
    assert not ApprovalItem.objects.exists() and not ProjectTemplate.objects.exists()
    assert not CatalogueVersion.objects.exists()
