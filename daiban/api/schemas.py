"""The API's request and response bodies (OpenAPI components)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from daiban.common.validators import date_bounds_error


def _day_in_range(day: dt.date) -> dt.date:
    """The platform's one date range (common.validators) for the dates a calling system sends: a filing
    dated 1900 is as wrong from the approval system as from a page, and year 1 would not even store."""
    error = date_bounds_error(day)
    if error is not None:
        raise ValueError(error)
    return day


def _moment_in_range(moment: dt.datetime) -> dt.datetime:
    _day_in_range(moment.date())
    return moment


Day = Annotated[dt.date, AfterValidator(_day_in_range)]
Moment = Annotated[dt.datetime, AfterValidator(_moment_in_range)]


class Problem(Schema):
    """RFC 9457 problem details, with a machine `code` and a Chinese `detail`."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str
    errors: list[dict[str, str]] | None = None


class JurisdictionOut(Schema):
    code: str
    name: str
    level: str


class CatalogueItemOut(Schema):
    code: str
    name: str
    stage: str
    department: str
    time_limit_days: int
    legal_time_limit_days: int
    legal_time_limit_unit: str
    result_document: str


class CataloguePage(Schema):
    items: list[CatalogueItemOut]


class JurisdictionPage(Schema):
    items: list[JurisdictionOut]


class RequestOut(Schema):
    id: int
    reference: str
    jurisdiction: str
    project: str
    applicant: str
    locality: str
    mode: str
    channel: str
    state: str
    submitted_at: dt.datetime
    updated_at: dt.datetime
    item_ids: list[int]


class RequestPage(Schema):
    items: list[RequestOut]
    next_cursor: str | None = None


class ItemOut(Schema):
    id: int
    request_id: int
    code: str
    name: str
    responsible_unit: str
    state: str
    version: int
    receipt_number: str
    filed_on: dt.date | None
    decided_on: dt.date | None
    due_on: dt.date | None
    standing: str
    standing_label: str
    updated_at: dt.datetime


class ItemPage(Schema):
    items: list[ItemOut]
    next_cursor: str | None = None


class TimelineEntryOut(Schema):
    at: dt.datetime
    verb: str
    label: str
    item_id: int | None
    from_state: str
    to_state: str
    text: str


class TimelinePage(Schema):
    items: list[TimelineEntryOut]


class DocumentOut(Schema):
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    item_id: int | None
    uploaded_at: dt.datetime
    download_url: str


class DocumentPage(Schema):
    items: list[DocumentOut]


EventKind = Literal[
    "filed",
    "review_started",
    "correction_requested",
    "resubmitted",
    "special_procedure_started",
    "special_procedure_ended",
    "approved",
    "refused",
]


class ItemEventIn(Schema):
    event_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    kind: EventKind
    occurred_at: Moment
    receipt_number: str = Field("", max_length=40)
    on: Day | None = None
    note: str = Field("", max_length=500)
    procedure: Literal["", "publicity", "expert_review", "hearing"] = ""
    result_number: str = Field("", max_length=64)
    certificate_url: str = Field("", max_length=500, pattern=r"^(|https://\S+)$")


class ItemEventOut(Schema):
    event_id: str
    item_id: int
    kind: str
    outcome: Literal["applied", "conflict"]
    detail: str
    item_state: str
    item_version: int


BATCH_MAX = 100


class BatchEventIn(ItemEventIn):
    """One event of a batch: the item by our id or by the approval system's receipt number."""

    item_id: int | None = Field(None, ge=1, le=2**63 - 1)
    item_receipt_number: str = Field("", max_length=40)


class BatchIn(Schema):
    events: list[BatchEventIn] = Field(min_length=1, max_length=BATCH_MAX)


class BatchResult(Schema):
    """One event's answer: `status` is what the single-event call would have answered (201 applied, 200
    a repeat, 409 a conflict, 404 an unknown item, 422 an event id already used for another item)."""

    index: int
    event_id: str
    status: int
    code: str
    outcome: Literal["applied", "conflict", "rejected"]
    detail: str
    item_id: int | None
    item_state: str | None
    item_version: int | None


class BatchOut(Schema):
    results: list[BatchResult]


class EnterpriseIn(Schema):
    uscc: str = Field(max_length=32)


class ContactIn(Schema):
    name: str = Field("", max_length=64)
    mobile: str = Field(max_length=20)


class ProjectIn(Schema):
    name: str = Field(min_length=2, max_length=200)
    code: str = Field("", max_length=40)
    kind: Literal["new", "renovation", "expansion"] = "new"
    location: str = Field(max_length=64, description="the township, street or park's unit code")
    address: str = Field("", max_length=255)
    investment_amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    land_area: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    floor_area: Decimal = Field(ge=0, max_digits=14, decimal_places=2)


class RequestIn(Schema):
    external_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    enterprise: EnterpriseIn
    contact: ContactIn
    project: ProjectIn
    items: list[str] = Field(min_length=1, max_length=50)
    mode: Literal["assist", "proxy"]
    consent: bool = False
    free_of_charge_acknowledged: bool
    note: str = Field("", max_length=1000)


class ProjectOut(Schema):
    id: int
    name: str
    project_code: str
    kind: str
    jurisdiction: str
    location: str
    applicant_id: int
    applicant: str
    uscc: str


class ProjectPage(Schema):
    items: list[ProjectOut]
    next_cursor: str | None = None


class EvaluationOut(Schema):
    id: int
    request_id: int | None
    agent_id: int
    attitude: int
    efficiency: int
    integrity: int
    is_bad: bool
    comment: str | None
    given_at: dt.datetime
    released_at: dt.datetime | None


class EvaluationPage(Schema):
    items: list[EvaluationOut]
    next_cursor: str | None = None


class IssueOut(Schema):
    id: int
    title: str
    status: str
    jurisdiction: str
    unit_id: int | None
    item_id: int | None
    raised_at: dt.datetime


class IssuePage(Schema):
    items: list[IssueOut]
    next_cursor: str | None = None
