from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/items/", views.dashboard_items, name="dashboard_items"),
    path("ranking/", views.ranking, name="ranking"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path(
        "inspections/<int:pk>/actions/<int:action_pk>/done/",
        views.required_action_done,
        name="required_action_done",
    ),
    path("ledgers/", views.ledger_list, name="ledger_list"),
    path("ledgers/export.xlsx", views.ledger_export, name="ledger_export"),
    path("ledgers/<int:unit_pk>/<int:year>/<int:quarter>/", views.ledger_detail, name="ledger_detail"),
    path("issues/", views.issue_list, name="issue_list"),
    path("issues/new/", views.issue_create, name="issue_create"),
    path("issues/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/assign/", views.issue_assign, name="issue_assign"),
    path("issues/<int:pk>/follow-up/", views.issue_follow_up, name="issue_follow_up"),
    path("issues/<int:pk>/resolve/", views.issue_resolve, name="issue_resolve"),
    path("issues/<int:pk>/reopen/", views.issue_reopen, name="issue_reopen"),
    path("issues/raise/<int:item_pk>/", views.raise_from_item, name="raise_from_item"),
]
