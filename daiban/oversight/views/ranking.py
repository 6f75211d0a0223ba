"""考核评比: a quarter's ranking of units or agents, with the formula and the weights used."""

from django.http import HttpResponse
from django.shortcuts import render

from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.models import Unit, User
from daiban.workdays.quarters import Quarter

from ..assessment import INDICATORS, Ranked, rank_agents, rank_units, weights_for
from ..permissions import supervisors_only
from ..selectors import chosen_jurisdiction, supervised_jurisdictions
from .quarters import quarter_from_query


@supervisors_only
@quarter_from_query
def ranking(request: AuthenticatedRequest, quarter: Quarter) -> HttpResponse:
    """考核评比: the quarter's ranking of units or agents, with the formula and the weights used."""
    choices = list(supervised_jurisdictions(request.user))
    chosen = chosen_jurisdiction(choices, request.GET.get("j"))
    target = "agent" if request.GET.get("target") == "agent" else "unit"
    rows: list[Ranked[Unit]] | list[Ranked[User]] = []
    weights: dict[str, float] = {}
    if chosen is not None:
        weights = weights_for(chosen, target)
        rows = (
            rank_agents(chosen, quarter, weights=weights)
            if target == "agent"
            else rank_units(chosen, quarter, weights=weights)
        )
    # Units or agents with nothing to score this quarter are named once below the table, not as rows of
    # dashes: a county has some forty townships and a phone shows one row per screen.
    return render(
        request,
        "oversight/ranking.html",
        {
            "rows": [r for r in rows if r.score is not None],
            "unscored": [r.subject for r in rows if r.score is None],
            "weights": [(INDICATORS[k], k, w) for k, w in weights.items()],
            "columns": list(INDICATORS.items()),
            "target": target,
            "quarter": quarter,
            "choices": choices,
            "chosen": chosen,
        },
    )
