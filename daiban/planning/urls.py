from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [path("requests/<int:pk>/", views.request_plan, name="request_plan")]
