"""监管看板: the dashboard and the items behind its numbers."""

import datetime as dt
from collections import Counter

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from daiban.cases.deadlines import item_clocks
from daiban.cases.models import CaseItem, ServiceRequest
from daiban.common.params import query_date, query_id
from daiban.common.stages import Stage
from daiban.feedback.models import Level
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Jurisdiction
from daiban.service_levels.selectors import promise_rows

from ..dashboard import Scope, dashboard_figures, open_filed, scope_for, standing_filters
from ..permissions import dashboard_viewers
from ..selectors import supervised_jurisdictions


def _scope(
    request: AuthenticatedRequest,
) -> tuple[Scope, list[Jurisdiction], Jurisdiction | None, dt.date | None, dt.date | None]:
    choices = list(supervised_jurisdictions(request.user))
    chosen = next((j for j in choices if j.code == request.GET.get("j")), None)
    start_on, end_on = query_date(request.GET, "from"), query_date(request.GET, "to")
    return (
        scope_for(request.user, jurisdiction=chosen, start_on=start_on, end_on=end_on),
        choices,
        chosen,
        start_on,
        end_on,
    )


@dashboard_viewers
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """监管看板: requests, items, deadlines, satisfaction and workload in the viewer's scope."""
    scope, choices, chosen, start_on, end_on = _scope(request)
    now = timezone.now()
    today = timezone.localdate(now)
    query = request.GET.urlencode()
    stages, item_states = dict(Stage.choices), dict(CaseItem.State.choices)
    figures = dashboard_figures(scope, today, now)
    states, items, clocks = figures.requests_by_state, figures.items_by_stage_and_state, figures.standing
    marks, trend, load = figures.satisfaction, figures.monthly_requests, figures.workload
    drill = reverse("oversight:dashboard_items")
    charts = {
        "requests": {
            "labels": [str(label) for value, label in ServiceRequest.State.choices],
            "values": [states.get(value, 0) for value, _label in ServiceRequest.State.choices],
            "urls": [
                f"{reverse('cases:request_list')}?state={value}" + (f"&j={chosen.code}" if chosen else "")
                for value, _label in ServiceRequest.State.choices
            ],
        },
        "stages": {
            "labels": [str(label) for label in stages.values()],
            "series": [
                {"name": str(item_states[s]), "values": [items.get((stage, s), 0) for stage in stages]}
                for s in item_states
                if any(items.get((stage, s)) for stage in stages)
            ],
        },
        "units": _standing_chart(clocks.by_unit, drill, "unit", query),
        "localities": _standing_chart(clocks.by_locality, drill, "locality", query),
        "trend": {"labels": [m.strftime("%Y-%m") for m, _n in trend], "values": [n for _m, n in trend]},
        "satisfaction": {
            "labels": [str(Level(level).label) for level in marks["by_level"]],
            "values": list(marks["by_level"].values()),
        },
        "workload": {"labels": [r["name"] for r in load], "values": [r["n"] for r in load]},
    }
    return render(
        request,
        "oversight/dashboard.html",
        {
            "charts": charts,
            "choices": choices,
            "chosen": chosen,
            "start_on": start_on,
            "end_on": end_on,
            "totals": clocks.totals,
            "marks": marks,
            "request_total": sum(states.values()),
            "scope": scope,
            "districts": figures.by_jurisdiction,
            "query": query,
            "today": today,
            "as_of": figures.computed_at,
            "promise_rows": promise_rows({p: Counter(c) for p, c in figures.promises.items()}),
        },
    )


def _standing_chart(
    rows: dict[tuple[int, str], Counter[str]], drill: str, key: str, query: str
) -> dict[str, object]:
    ordered = sorted(rows.items(), key=lambda kv: (-kv[1]["overdue"], -kv[1]["due_soon"], kv[0][1]))[:20]
    return {
        "labels": [name for (_pk, name), _c in ordered],
        "overdue": [c["overdue"] for _k, c in ordered],
        "due_soon": [c["due_soon"] for _k, c in ordered],
        "urls": [f"{drill}?{key}={pk}&{query}" for (pk, _name), _c in ordered],
    }


@dashboard_viewers
def dashboard_items(request: AuthenticatedRequest) -> HttpResponse:
    """The items behind a dashboard number: open filed items of one unit or locality, by deadline standing."""
    scope, _choices, _chosen, _s, _e = _scope(request)
    today = timezone.localdate()
    items = open_filed(scope)
    level = request.GET.get("level", "")
    filters = standing_filters(scope, today, settings.DAIBAN_DUE_SOON_WORKING_DAYS)
    if level in filters:
        items = items.filter(filters[level])
    for key, lookup in (("unit", "responsible_unit_id"), ("locality", "request__locality_id")):
        value = query_id(request.GET, key)
        if value is not None:
            items = items.filter(**{lookup: value})
    rows = list(
        items.select_related(
            "request__jurisdiction", "request__project", "approval_item", "responsible_unit", "agent"
        )
        .prefetch_related("stops")
        .order_by("due_on", "id")[:500]
    )
    clocks = item_clocks(rows, today)
    return render(
        request, "oversight/dashboard_items.html", {"rows": [(i, clocks[i.pk]) for i in rows], "level": level}
    )
