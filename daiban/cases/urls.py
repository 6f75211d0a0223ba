from django.urls import path

from .views import items, lists, requests

app_name = "cases"
urlpatterns = [
    path("", lists.request_list, name="request_list"),
    path("items/", lists.item_list, name="item_list"),
    path("new/", requests.request_create, name="request_create"),
    path("window/new/", requests.window_request_create, name="window_request_create"),
    path("dispatch/", requests.dispatch, name="dispatch"),
    path("worklist/", requests.agent_worklist, name="worklist"),
    path("<int:pk>/", requests.request_detail, name="request_detail"),
    path("<int:pk>/contact/", requests.request_contact, name="request_contact"),
    path("<int:pk>/window-receipt/", requests.window_receipt, name="window_receipt"),
    path("<int:pk>/accept/", requests.request_accept, name="request_accept"),
    path("<int:pk>/decline/", requests.request_decline, name="request_decline"),
    path("<int:pk>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("<int:pk>/items/<int:item_pk>/assign/", requests.item_assign, name="item_assign"),
    path("<int:pk>/items/<int:item_pk>/accept/", requests.item_accept, name="item_accept"),
    path("<int:pk>/items/<int:item_pk>/decline/", requests.item_decline, name="item_decline"),
    path("<int:pk>/assign/", requests.items_assign, name="items_assign"),
    path("<int:pk>/documents/<int:doc_pk>/", requests.document_download, name="document_download"),
    path("<int:pk>/visits/", items.visit_create, name="visit_create"),
    path("<int:pk>/items/<int:item_pk>/", items.item_detail, name="item_detail"),
    path("<int:pk>/items/<int:item_pk>/chases/", items.chase_create, name="chase_create"),
    path("<int:pk>/items/<int:item_pk>/receipt.pdf", items.delivery_receipt, name="delivery_receipt"),
    path(
        "<int:pk>/items/<int:item_pk>/refusal-notice/",
        items.refusal_notice_deliver,
        name="refusal_notice_deliver",
    ),
    path("<int:pk>/items/<int:item_pk>/steps/<slug:action>/", items.item_step, name="item_step"),
    path(
        "<int:pk>/items/<int:item_pk>/checklist/<int:line_pk>/",
        items.checklist_update,
        name="checklist_update",
    ),
    path("<int:pk>/items/<int:item_pk>/checklist/", items.checklist_save, name="checklist_save"),
    path("<int:pk>/items/<int:item_pk>/stops/", items.procedure_start, name="procedure_start"),
    path(
        "<int:pk>/items/<int:item_pk>/stops/<int:stop_pk>/end/",
        items.procedure_end,
        name="procedure_end",
    ),
]
