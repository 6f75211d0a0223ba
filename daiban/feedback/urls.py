from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("requests/<int:pk>/evaluate/", views.evaluate_request, name="evaluate"),
    path("requests/<int:pk>/complain/", views.complain, name="complain"),
    path("rate/<str:token>/", views.rate_item, name="rate_item"),
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/<int:pk>/release/", views.evaluation_release, name="evaluation_release"),
    path("callbacks/", views.callback_list, name="callback_list"),
    path("callbacks/<int:pk>/new/", views.callback_create, name="callback_create"),
    path("callbacks/<int:pk>/contact/", views.callback_contact, name="callback_contact"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/owner/", views.rectification_owner, name="rectification_owner"),
    path("rectifications/<int:pk>/<slug:action>/", views.rectification_step, name="rectification_step"),
]
