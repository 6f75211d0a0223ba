from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("requests/<int:pk>/", views.request_plan, name="request_plan"),
    path("requests/<int:pk>/plan.pdf", views.request_plan_pdf, name="request_plan_pdf"),
]
