from django.urls import path

from . import views

app_name = "service_levels"
urlpatterns = [
    path("", views.promises, name="promises"),
]
