from django.urls import path

from . import item_views, views

app_name = "cases"
urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_create, name="request_create"),
    path("window/new/", views.window_request_create, name="window_request_create"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("worklist/", views.agent_worklist, name="worklist"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("<int:pk>/items/<int:item_pk>/assign/", views.item_assign, name="item_assign"),
    path("<int:pk>/documents/<int:doc_pk>/", views.document_download, name="document_download"),
    path("<int:pk>/visits/", item_views.visit_create, name="visit_create"),
    path("<int:pk>/items/<int:item_pk>/", item_views.item_detail, name="item_detail"),
    path("<int:pk>/items/<int:item_pk>/chases/", item_views.chase_create, name="chase_create"),
    path("<int:pk>/items/<int:item_pk>/receipt.pdf", item_views.delivery_receipt, name="delivery_receipt"),
    path("<int:pk>/items/<int:item_pk>/steps/<slug:action>/", item_views.item_step, name="item_step"),
    path(
        "<int:pk>/items/<int:item_pk>/checklist/<int:line_pk>/",
        item_views.checklist_update,
        name="checklist_update",
    ),
    path("<int:pk>/items/<int:item_pk>/stops/", item_views.procedure_start, name="procedure_start"),
    path(
        "<int:pk>/items/<int:item_pk>/stops/<int:stop_pk>/end/",
        item_views.procedure_end,
        name="procedure_end",
    ),
]
