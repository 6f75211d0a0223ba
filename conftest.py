"""Fixtures shared by every app's tests: the real reference data, and people for each role."""

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone, translation

from daiban.catalogue.services import catalogue_data_file, load_catalogue
from daiban.organizations.models import Jurisdiction, Role, Unit, User
from daiban.organizations.services import DATA_DIR as ORG_DATA_DIR
from daiban.organizations.services import grant_role, load_organisations
from daiban.projects.models import Project


@pytest.fixture(autouse=True)
def _chinese() -> None:
    translation.activate("zh-hans")


# Every test (a journey included) lasts well under this; one starting closer to local midnight moves past it.
# Kept short: servers a test starts in another process keep the real clock.
MIDNIGHT_MARGIN = dt.timedelta(minutes=5)


def past_midnight_if_near(now: dt.datetime) -> dt.datetime | None:
    """Where a test starting at `now` (local time) must start instead, or None when it can start now.

    Tests compute today's deadlines and compare them with what the code computed when the step ran (a
    journey: when the button was clicked); a run that crosses local midnight between the two (a CI journey at
    23:59:56 once) compares two different days."""
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 0, 5), tzinfo=now.tzinfo)
    return midnight if midnight - now < MIDNIGHT_MARGIN else None


@pytest.fixture(autouse=True)
def _same_day() -> Iterator[None]:
    """Clocks keep ticking (sessions, lockouts and throttles behave as in real use) — in the server threads
    too, as time-machine patches the process's clock — but a test never straddles a change of date."""
    start = past_midnight_if_near(timezone.localtime())
    if start is None:
        yield
        return
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """What the cache holds (API nonces, rate counts) belongs to one test: with REDIS_URL (CI) the cache
    outlives the process, and a nonce or a count left by an earlier run must not refuse this one's call."""
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_signs_in_fully(monkeypatch) -> None:
    """`client.force_login(user)` stands for a completed sign-in (password, and the second factor where
    required); see daiban/accounts/tests/signin.py. Tests of the sign-in steps use the login page."""
    from django.test import Client

    from daiban.accounts.tests.signin import sign_in_fully

    monkeypatch.setattr(Client, "force_login", sign_in_fully)


@pytest.fixture
def city(db) -> Jurisdiction:
    return load_organisations(path=ORG_DATA_DIR / "500000.toml")


@pytest.fixture
def youyang(city) -> Jurisdiction:
    j = load_organisations(path=ORG_DATA_DIR / "500242.toml")
    load_catalogue(path=catalogue_data_file("500242"))
    return j


@pytest.fixture
def dazu(city) -> Jurisdiction:
    j = load_organisations(path=ORG_DATA_DIR / "500111.toml")
    load_catalogue(path=catalogue_data_file("500111"))
    return j


@pytest.fixture
def make_staff(db) -> Callable[..., User]:
    from daiban.organizations.tests.factories import UserFactory

    def make(role: str, jurisdiction: Jurisdiction, unit_code: str | None = None, **kwargs) -> User:
        user = UserFactory.create()
        unit = Unit.objects.get(jurisdiction=jurisdiction, code=unit_code) if unit_code else None
        section = unit.sections.get(code=kwargs.pop("section_code")) if "section_code" in kwargs else None
        grant_role(user=user, role=role, jurisdiction=jurisdiction, unit=unit, section=section, by=None)
        return user

    return make


@pytest.fixture
def yy_supervisor(youyang, make_staff) -> User:
    return make_staff(Role.SUPERVISOR, youyang, "gaiban")


@pytest.fixture
def dz_supervisor(dazu, make_staff) -> User:
    return make_staff(Role.SUPERVISOR, dazu, "jzxk-office")


@pytest.fixture
def yy_project(youyang) -> Project:
    from daiban.projects.tests.factories import ProjectFactory

    return ProjectFactory.create(applicant__jurisdiction=youyang)


@pytest.fixture
def dz_project(dazu) -> Project:
    from daiban.projects.tests.factories import ProjectFactory

    return ProjectFactory.create(applicant__jurisdiction=dazu)


@pytest.fixture
def applicant_user(yy_project) -> User:
    from daiban.organizations.tests.factories import UserFactory
    from daiban.projects.models import ApplicantRepresentative

    user = UserFactory.create()
    ApplicantRepresentative.objects.create(applicant=yy_project.applicant, user=user)
    return user


@pytest.fixture(scope="session")
def s3_server():
    """One moto S3 server process for the whole run (daiban/common/tests/s3.py)."""
    from daiban.common.tests.s3 import running_s3_server

    with running_s3_server() as server:
        yield server


@pytest.fixture
def s3_bucket(s3_server, settings) -> str:
    """A fresh bucket, and media storage pointed at it for this test."""
    bucket = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_settings(bucket)}
    return bucket
