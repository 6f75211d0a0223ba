"""The API's human-readable reference: rendered on the server from the OpenAPI schema (no CDN, no script)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from daiban.cases.permissions import coordinators_only
from daiban.common.access import public
from daiban.organizations.auth import AuthenticatedRequest

from .api import api
from .selectors import conflicts_visible_to

METHODS = ("get", "post", "put", "patch", "delete")


@public
def docs(request: HttpRequest) -> HttpResponse:
    schema: dict[str, Any] = api.get_openapi_schema()
    operations = []
    for path, entry in schema.get("paths", {}).items():
        for method in METHODS:
            op = entry.get(method)
            if op is None:
                continue
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tags": ", ".join(op.get("tags", [])),
                    "parameters": [
                        {"name": p["name"], "where": p["in"], "required": p.get("required", False)}
                        for p in op.get("parameters", [])
                    ],
                    "responses": sorted(op.get("responses", {})),
                }
            )
    context = {
        "title": schema["info"]["title"],
        "version": schema["info"]["version"],
        "operations": operations,
    }
    return render(request, "api/docs.html", context)


@coordinators_only
def event_conflicts(request: AuthenticatedRequest) -> HttpResponse:
    """The coordinator's list of approval-system events not applied to their items (each also on the
    item's page)."""
    return render(request, "api/event_conflicts.html", {"events": conflicts_visible_to(request.user)})
