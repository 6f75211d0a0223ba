from django.urls import path

from .views import audit, dashboard, forums, inspections, issues, ledgers, ranking

app_name = "oversight"
urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/items/", dashboard.dashboard_items, name="dashboard_items"),
    path("ranking/", ranking.ranking, name="ranking"),
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/new/", inspections.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path(
        "inspections/<int:pk>/actions/<int:action_pk>/done/",
        inspections.required_action_done,
        name="required_action_done",
    ),
    path("ledgers/", ledgers.ledger_list, name="ledger_list"),
    path("ledgers/export.xlsx", ledgers.ledger_export, name="ledger_export"),
    path("ledgers/<int:unit_pk>/<int:year>/<int:quarter>/", ledgers.ledger_detail, name="ledger_detail"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export.xlsx", audit.audit_export, name="audit_export"),
    path("issues/", issues.issue_list, name="issue_list"),
    path("issues/new/", issues.issue_create, name="issue_create"),
    path("issues/<int:pk>/", issues.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/assign/", issues.issue_assign, name="issue_assign"),
    path("issues/<int:pk>/follow-up/", issues.issue_follow_up, name="issue_follow_up"),
    path("issues/<int:pk>/resolve/", issues.issue_resolve, name="issue_resolve"),
    path("issues/<int:pk>/reopen/", issues.issue_reopen, name="issue_reopen"),
    path("forums/", forums.forum_list, name="forum_list"),
    path("forums/new/", forums.forum_create, name="forum_create"),
    path("forums/<int:pk>/", forums.forum_detail, name="forum_detail"),
    path("forums/<int:pk>/opinions/<int:opinion_pk>/raise/", forums.opinion_raise, name="opinion_raise"),
    path("issues/raise/<int:item_pk>/", issues.raise_from_item, name="raise_from_item"),
]
