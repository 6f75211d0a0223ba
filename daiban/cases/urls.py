from django.urls import path

from . import views

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
]
