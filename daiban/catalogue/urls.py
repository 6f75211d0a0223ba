from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("<str:code>/<slug:item_code>/", views.item_detail, name="item_detail"),
]
