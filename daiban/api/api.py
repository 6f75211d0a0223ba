"""`/api/v1/`: the versioned JSON API (django-ninja, ADR 0020). Every operation authenticates through
`auth.ApiAuth` (HMAC-signed client or session) and checks its scope; reads go through the same scoped
selectors as the pages; writes call the same services. Every error is problem details."""

import base64
import binascii
import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from pydantic import Field

from daiban.cases.deadlines import item_clocks
from daiban.cases.models import CaseItem, RequestDocument, ServiceRequest, TimelineEntry
from daiban.cases.workflows import lock_items_in_order
from daiban.catalogue.models import ApprovalItem
from daiban.common.audit import verb_label
from daiban.common.workflow import NotYourStep
from daiban.feedback.models import Evaluation
from daiban.feedback.selectors import comment_visible, evaluations_visible_to
from daiban.organizations.models import Jurisdiction, Unit, User
from daiban.oversight.models import CoordinationIssue
from daiban.oversight.selectors import issues_visible_to
from daiban.projects.models import Project
from daiban.projects.selectors import projects_visible_to
from daiban.projects.services import ProjectData

from . import schemas as s
from .auth import ApiAuth, ApiProblem, Caller, OptionalAuth
from .models import ApiClient, Scope
from .services import EventData, IntakeData, receive_item_event, receive_request

logger = logging.getLogger(__name__)
ScopedRow = TypeVar("ScopedRow", Project, Evaluation, CoordinationIssue)
PROBLEM = "application/problem+json"
ERRORS = frozenset({400, 401, 403, 404, 409, 422, 429})
MAX_LIMIT = 200


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese as characters (`"detail": "未找到…"`), not `\\uXXXX` escapes: what a county's
    IT staff read in a log or a terminal is the message itself."""

    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="帮代办服务平台 API",
    version="1",
    description="See docs/api.md: signing, scopes, pagination, errors.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=ApiAuth(),
)


def _problem(request: HttpRequest, status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    body = {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail, **extra}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


@api.exception_handler(ApiProblem)
def _api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    response = _problem(request, exc.status, exc.code, exc.detail)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _problem(request, 401, "not_authenticated", "请先登录，或按文档对请求签名。")


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return _problem(request, 422, "validation_failed", "请求内容不符合要求，请检查各字段。", errors=errors)


@api.exception_handler(DjangoValidationError)
def _refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if isinstance(exc, NotYourStep):
        return _problem(request, 403, "not_your_step", "；".join(exc.messages))
    errors = [
        {"field": name, "message": str(message)}
        for name, messages in (
            exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
        )
        for message in messages
    ]
    return _problem(request, 422, "rejected", "；".join(e["message"] for e in errors), errors=errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _problem(request, 404, "not_found", "未找到该资源，或您无权查看。")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _problem(request, exc.status_code, "http_error", "请求无法处理。")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error", exc_info=exc)
    return _problem(request, 500, "server_error", "服务器内部错误，已记录，请稍后重试。")


def _with_problem_media(schema: dict[str, Any]) -> dict[str, Any]:
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status).isdigit() and int(status) >= 400 and "application/json" in content:
                    response["content"] = {PROBLEM: content["application/json"]}
    return schema


_original_schema = api.get_openapi_schema


def _openapi_schema(*args: Any, **kwargs: Any) -> Any:
    return _with_problem_media(_original_schema(*args, **kwargs))


api.get_openapi_schema = _openapi_schema  # type: ignore[method-assign]

ERR: dict[int, type[Schema]] = dict.fromkeys(ERRORS, s.Problem)


def _caller(request: HttpRequest) -> Caller:
    caller = getattr(request, "auth", None)
    assert isinstance(caller, Caller)
    return caller


# Cursors and filters ---------------------------------------------------------------------------------


# Every record number the database can hold (a primary key is below 2**63; SQLite refuses larger numbers
# with an error, PostgreSQL with another): a larger one is bad input, refused before any query.
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ListFilters(Schema):
    cursor: str | None = None
    limit: int = 50
    state: str | None = None
    unit: RecordId | None = None
    updated_since: s.Moment | None = None


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        value = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiProblem(400, "cursor_invalid", "分页游标无效，请从第一页重新读取。") from exc
    if not 0 <= value < 2**63:
        raise ApiProblem(400, "cursor_invalid", "分页游标无效，请从第一页重新读取。")
    return value


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def _limit(value: int) -> int:
    if not 1 <= value <= MAX_LIMIT:
        raise ApiProblem(400, "limit_invalid", f"每页条数须在 1 到 {MAX_LIMIT} 之间。")
    return value


def _page(qs: QuerySet[Any], filters: ListFilters) -> tuple[list[Any], str | None]:
    limit = _limit(filters.limit)
    rows = list(qs.filter(pk__gt=_decode_cursor(filters.cursor)).order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_encode_cursor(rows[-1].pk) if more and rows else None)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _request_updated() -> Coalesce:
    last = TimelineEntry.objects.filter(request=OuterRef("pk")).order_by().values("request")
    return Coalesce(Subquery(last.annotate(m=Max("at")).values("m")[:1]), "submitted_at")


def _item_updated() -> Coalesce:
    last = TimelineEntry.objects.filter(case_item=OuterRef("pk")).order_by().values("case_item")
    return Coalesce(Subquery(last.annotate(m=Max("at")).values("m")[:1]), "request__submitted_at")


# Public: jurisdictions and catalogue -----------------------------------------------------------------


@api.get("/jurisdictions", response={200: s.JurisdictionPage, **ERR}, auth=OptionalAuth(), tags=["catalogue"])
def list_jurisdictions(request: HttpRequest) -> Any:
    rows = Jurisdiction.objects.order_by("code")
    return {"items": [{"code": j.code, "name": j.name, "level": j.level} for j in rows]}


@api.get(
    "/jurisdictions/{code}/catalogue",
    response={200: s.CataloguePage, **ERR},
    auth=OptionalAuth(),
    tags=["catalogue"],
)
def catalogue(request: HttpRequest, code: str) -> Any:
    jurisdiction = get_object_or_404(Jurisdiction, code=code)
    rows = (
        ApprovalItem.objects.filter(jurisdiction=jurisdiction, is_active=True)
        .select_related("department", "result_document")
        .order_by("position", "id")
    )
    return {
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "stage": i.stage,
                "department": i.department.name,
                "time_limit_days": i.time_limit_days,
                "legal_time_limit_days": i.legal_time_limit_days,
                "legal_time_limit_unit": i.legal_time_limit_unit,
                "result_document": i.result_document.name,
            }
            for i in rows
        ]
    }


# Requests --------------------------------------------------------------------------------------------


def _request_out(r: ServiceRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "reference": r.reference,
        "jurisdiction": r.jurisdiction.code,
        "project": r.project.name,
        "applicant": r.applicant.name,
        "locality": r.locality.name,
        "mode": r.mode,
        "channel": r.channel,
        "state": r.state,
        "submitted_at": r.submitted_at,
        "updated_at": r.updated_at,  # type: ignore[attr-defined]
        "item_ids": [i.pk for i in r.items.all()],
    }


def _requests(caller: Caller) -> QuerySet[ServiceRequest]:
    caller.require(Scope.READ_CASES)
    return (
        caller.requests()
        .select_related("jurisdiction", "project", "applicant", "locality")
        .prefetch_related("items")
        .annotate(updated_at=_request_updated())
    )


@api.get("/requests", response={200: s.RequestPage, **ERR}, tags=["cases"])
def list_requests(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    qs = _requests(_caller(request))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.unit is not None:
        qs = qs.filter(
            pk__in=CaseItem.objects.filter(responsible_unit_id=filters.unit).values("request_id")
        ) | qs.filter(locality_id=filters.unit)
    if filters.updated_since is not None:
        qs = qs.filter(**{"updated_at__gte": _aware(filters.updated_since)})
    rows, cursor = _page(qs, filters)
    return {"items": [_request_out(r) for r in rows], "next_cursor": cursor}


def _etag(request: HttpRequest, response: HttpResponse, tag: str) -> bool:
    """Sets the ETag; True when the caller already holds this version (answer 304)."""
    response["ETag"] = f'W/"{tag}"'
    return request.headers.get("If-None-Match", "") == response["ETag"]


@api.get("/requests/{request_id}", response={200: s.RequestOut, 304: None, **ERR}, tags=["cases"])
def get_request(request: HttpRequest, request_id: int, response: HttpResponse) -> Any:
    r = get_object_or_404(_requests(_caller(request)), pk=request_id)
    if _etag(request, response, f"r{r.pk}-{r.updated_at.timestamp()}"):  # type: ignore[attr-defined]
        return Status(304, None)
    return _request_out(r)


@api.get("/requests/{request_id}/timeline", response={200: s.TimelinePage, **ERR}, tags=["cases"])
def request_timeline(request: HttpRequest, request_id: int) -> Any:
    r = get_object_or_404(_requests(_caller(request)), pk=request_id)
    entries = TimelineEntry.objects.filter(request=r).order_by("at", "id")
    return {
        "items": [
            {
                "at": e.at,
                "verb": e.verb,
                "label": verb_label(e.verb),
                "item_id": e.case_item_id,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "text": e.text,
            }
            for e in entries
        ]
    }


@api.get("/requests/{request_id}/documents", response={200: s.DocumentPage, **ERR}, tags=["cases"])
def request_documents(request: HttpRequest, request_id: int) -> Any:
    r = get_object_or_404(_requests(_caller(request)), pk=request_id)
    docs = RequestDocument.objects.filter(request=r).order_by("uploaded_at", "id")
    return {
        "items": [
            {
                "id": d.pk,
                "name": d.original_name,
                "kind": d.kind,
                "content_type": d.content_type,
                "size": d.size,
                "item_id": d.case_item_id,
                "uploaded_at": d.uploaded_at,
                "download_url": reverse("cases:document_download", args=[r.pk, d.pk]),
            }
            for d in docs
        ]
    }


# Items -----------------------------------------------------------------------------------------------


def _items(caller: Caller) -> QuerySet[CaseItem]:
    caller.require(Scope.READ_CASES)
    return (
        CaseItem.objects.filter(request__in=caller.requests().values("pk"))
        .select_related("approval_item", "responsible_unit", "request__jurisdiction")
        .prefetch_related("stops")
        .annotate(updated_at=_item_updated())
    )


def _items_out(items: list[CaseItem]) -> list[dict[str, Any]]:
    clocks = item_clocks(items, timezone.localdate())
    return [
        {
            "id": i.pk,
            "request_id": i.request_id,
            "code": i.approval_item.code,
            "name": i.approval_item.name,
            "responsible_unit": i.responsible_unit.name,
            "state": i.state,
            "version": i.version,
            "receipt_number": i.external_ref,
            "filed_on": i.filed_on,
            "decided_on": i.decided_on,
            "due_on": clocks[i.pk].deadline_on or i.due_on,
            "standing": clocks[i.pk].level,
            "standing_label": str(clocks[i.pk].label),
            "updated_at": i.updated_at,  # type: ignore[attr-defined]
        }
        for i in items
    ]


@api.get("/items", response={200: s.ItemPage, **ERR}, tags=["cases"])
def list_items(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    qs = _items(_caller(request))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.unit is not None:
        qs = qs.filter(responsible_unit_id=filters.unit)
    if filters.updated_since is not None:
        qs = qs.filter(**{"updated_at__gte": _aware(filters.updated_since)})
    rows, cursor = _page(qs, filters)
    return {"items": _items_out(rows), "next_cursor": cursor}


@api.get("/items/{item_id}", response={200: s.ItemOut, 304: None, **ERR}, tags=["cases"])
def get_item(request: HttpRequest, item_id: int, response: HttpResponse) -> Any:
    item = get_object_or_404(_items(_caller(request)), pk=item_id)
    if _etag(request, response, f"i{item.pk}-v{item.version}"):
        return Status(304, None)
    return _items_out([item])[0]


# Item events from the approval system ------------------------------------------------------------------


def _event_data(body: s.ItemEventIn) -> EventData:
    return EventData(
        event_id=body.event_id,
        kind=body.kind,
        occurred_at=_aware(body.occurred_at),
        receipt_number=body.receipt_number,
        on=body.on,
        note=body.note,
        procedure=body.procedure,
        result_number=body.result_number,
        certificate_url=body.certificate_url,
    )


def _event_answer(client: ApiClient, item: CaseItem, body: s.ItemEventIn) -> tuple[int, dict[str, Any]]:
    outcome = receive_item_event(client=client, item=item, data=_event_data(body))
    event = outcome.event
    if event.case_item_id != item.pk:
        raise ApiProblem(422, "event_id_reused", "该事件编号已用于另一个事项。")
    status = (201 if outcome.created else 200) if event.outcome == "applied" else 409
    return status, {
        "event_id": event.event_id,
        "item_id": event.case_item_id,
        "kind": event.kind,
        "outcome": event.outcome,
        "detail": event.detail,
        "item_state": outcome.item_state,
        "item_version": outcome.item_version,
    }


def _event_client(request: HttpRequest) -> ApiClient:
    caller = _caller(request)
    caller.require(Scope.POST_ITEM_EVENTS)
    assert caller.client is not None  # sessions never hold this scope
    return caller.client


def _client_items(client: ApiClient) -> QuerySet[CaseItem]:
    """The items a client may post events for: its jurisdiction's. Only the id and request are read here;
    the workflow core reads the item under its lock."""
    return CaseItem.objects.filter(request__jurisdiction_id=client.jurisdiction_id).only("id", "request_id")


EVENT_RESPONSES: dict[int, Any] = {**ERR, 200: s.ItemEventOut, 201: s.ItemEventOut, 409: s.ItemEventOut}


def _in_one_transaction(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The event calls run in one transaction with their call's audit entry (`auth.identify` writes it):
    one commit a call, a batch's events each in a savepoint of it. django-ninja turns every exception into
    an answer inside `run`, so a server error (5xx) rolls the call back here."""

    @functools.wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response

    return wrapped


atomic_call = decorate_view(_in_one_transaction)


@api.post("/items/{item_id}/events", response=EVENT_RESPONSES, tags=["events"])
@atomic_call
def post_item_event(request: HttpRequest, item_id: RecordId, body: s.ItemEventIn) -> Any:
    client = _event_client(request)
    item = get_object_or_404(_client_items(client), pk=item_id)
    return Status(*_event_answer(client, item, body))


@api.post("/receipts/{receipt_number}/events", response=EVENT_RESPONSES, tags=["events"])
@atomic_call
def post_receipt_event(request: HttpRequest, receipt_number: str, body: s.ItemEventIn) -> Any:
    """The same, for an item known by the approval system's receipt number (after filing)."""
    client = _event_client(request)
    item = _client_items(client).filter(external_ref=receipt_number).first()
    if item is None:
        raise Http404
    return Status(*_event_answer(client, item, body))


def _batch_result(index: int, body: s.BatchEventIn, status: int, code: str, detail: str) -> dict[str, Any]:
    return {
        "index": index,
        "event_id": body.event_id,
        "status": status,
        "code": code,
        "outcome": "rejected",
        "detail": detail,
        "item_id": body.item_id,
        "item_state": None,
        "item_version": None,
    }


@api.post("/item-events/batch", response={**ERR, 200: s.BatchOut}, tags=["events"])
@atomic_call
def post_item_event_batch(request: HttpRequest, body: s.BatchIn) -> Any:
    """Up to 100 events in one call, applied in the order given, each exactly as the single-event call
    would (idempotent by event id, stale or refused → conflict) and each in its own savepoint: one bad
    event never half-saves another, and the answer lists every event's own result. One signature, one
    audit entry for the call, one commit."""
    client = _event_client(request)
    items = _client_items(client)
    found: list[CaseItem | str | None] = []  # the item, None (unknown), or the reference problem
    for event in body.events:
        if (event.item_id is None) == (not event.item_receipt_number):
            found.append("每个事件须且只能给出 item_id 或 item_receipt_number 之一。")
            continue
        found.append(
            (
                items.filter(pk=event.item_id)
                if event.item_id is not None
                else items.filter(external_ref=event.item_receipt_number)
            ).first()
        )
    lock_items_in_order(item for item in found if isinstance(item, CaseItem))
    results = []
    for index, (event, item) in enumerate(zip(body.events, found, strict=True)):
        if isinstance(item, str):
            results.append(_batch_result(index, event, 422, "item_reference_invalid", item))
            continue
        if item is None and event.item_receipt_number:  # filed by an earlier event of this batch?
            item = items.filter(external_ref=event.item_receipt_number).first()  # if so, locked by it
        if item is None:
            results.append(_batch_result(index, event, 404, "not_found", "未找到该事项，或您无权查看。"))
            continue
        try:
            status, answer = _event_answer(client, item, event)
        except ApiProblem as problem:
            results.append(_batch_result(index, event, problem.status, problem.code, problem.detail))
            continue
        code = {201: "applied", 200: "repeated", 409: "conflict"}[status]
        results.append({"index": index, "status": status, "code": code, **answer})
    return {"results": results}


# Intake from the 帮代办区 ---------------------------------------------------------------------------------


@api.post("/requests", response={**ERR, 200: s.RequestOut, 201: s.RequestOut}, tags=["intake"])
def create_request(request: HttpRequest, body: s.RequestIn) -> Any:
    """Idempotent by `external_id`: a repeat answers 200 with the request made the first time."""
    caller = _caller(request)
    caller.require(Scope.CREATE_REQUESTS)
    assert caller.client is not None  # sessions never hold this scope
    location = Unit.objects.filter(
        jurisdiction=caller.client.jurisdiction, code=body.project.location
    ).first()
    if location is None:
        raise ApiProblem(422, "location_unknown", "项目所在乡镇（街道）或园区代码不存在。")
    project = ProjectData(
        name=body.project.name,
        project_code=body.project.code,
        kind=body.project.kind,
        location=location,
        investment_amount=body.project.investment_amount,
        land_area=body.project.land_area,
        floor_area=body.project.floor_area,
        address=body.project.address,
    )
    data = IntakeData(
        external_id=body.external_id,
        uscc=body.enterprise.uscc,
        contact_mobile=body.contact.mobile,
        project_code=body.project.code,
        project=project,
        item_codes=body.items,
        mode=body.mode,
        consent=body.consent,
        free_of_charge_acknowledged=body.free_of_charge_acknowledged,
        note=body.note,
    )
    outcome = receive_request(client=caller.client, data=data)
    row = get_object_or_404(_requests(caller), pk=outcome.request.pk)
    return Status(201 if outcome.created else 200, _request_out(row))


# Projects, evaluations, issues -------------------------------------------------------------------------


def _scoped(
    caller: Caller, queryset: QuerySet[ScopedRow], visible_to: Callable[[User], QuerySet[ScopedRow]]
) -> QuerySet[ScopedRow]:
    """A list's rows for this caller: a client's jurisdiction, or what the person's own pages show."""
    caller.require(Scope.READ_CASES)
    if caller.client is not None:
        return queryset.filter(jurisdiction_id=caller.client.jurisdiction_id)
    assert caller.user is not None
    return visible_to(caller.user)


class PageFilters(Schema):
    cursor: str | None = None
    limit: int = 50


@api.get("/projects", response={200: s.ProjectPage, **ERR}, tags=["cases"])
def list_projects(request: HttpRequest, filters: Query[PageFilters]) -> Any:
    qs = _scoped(_caller(request), Project.objects.all(), projects_visible_to)
    qs = qs.select_related("applicant", "jurisdiction", "location")
    rows, cursor = _page(qs, ListFilters(cursor=filters.cursor, limit=filters.limit))
    return {
        "items": [
            {
                "id": p.pk,
                "name": p.name,
                "project_code": p.project_code,
                "kind": p.kind,
                "jurisdiction": p.jurisdiction.code,
                "location": p.location.name,
                "applicant_id": p.applicant_id,
                "applicant": p.applicant.name,
                "uscc": p.applicant.uscc,
            }
            for p in rows
        ],
        "next_cursor": cursor,
    }


@api.get("/evaluations", response={200: s.EvaluationPage, **ERR}, tags=["feedback"])
def list_evaluations(request: HttpRequest, filters: Query[PageFilters]) -> Any:
    """A bad rating's comment and request stay withheld from the rated agent until released (as the page)."""
    caller = _caller(request)
    qs = _scoped(caller, Evaluation.objects.all(), evaluations_visible_to)
    rows, cursor = _page(qs, ListFilters(cursor=filters.cursor, limit=filters.limit))
    out = []
    for e in rows:
        visible = caller.user is None or comment_visible(caller.user, e)
        out.append(
            {
                "id": e.pk,
                "request_id": e.request_id if visible else None,
                "agent_id": e.agent_id,
                "attitude": e.attitude,
                "efficiency": e.efficiency,
                "integrity": e.integrity,
                "is_bad": e.is_bad,
                "comment": e.comment if visible else None,
                "given_at": e.given_at,
                "released_at": e.released_at,
            }
        )
    return {"items": out, "next_cursor": cursor}


@api.get("/issues", response={200: s.IssuePage, **ERR}, tags=["oversight"])
def list_issues(request: HttpRequest, filters: Query[PageFilters]) -> Any:
    qs = _scoped(_caller(request), CoordinationIssue.objects.all(), issues_visible_to)
    rows, cursor = _page(
        qs.select_related("jurisdiction"), ListFilters(cursor=filters.cursor, limit=filters.limit)
    )
    return {
        "items": [
            {
                "id": i.pk,
                "title": i.title,
                "status": i.status,
                "jurisdiction": i.jurisdiction.code,
                "unit_id": i.unit_id,
                "item_id": i.case_item_id,
                "raised_at": i.raised_at,
            }
            for i in rows
        ],
        "next_cursor": cursor,
    }
