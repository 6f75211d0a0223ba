from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("faq/", views.faq, name="faq"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("<str:code>/<slug:item_code>/", views.item_detail, name="item_detail"),
]
