from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("requests/<int:pk>/", views.request_plan, name="request_plan"),
    path("requests/<int:pk>/plan.pdf", views.request_plan_pdf, name="request_plan_pdf"),
    path("requests/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path(
        "requests/<int:pk>/milestones/<int:milestone_pk>/remove/",
        views.milestone_remove,
        name="milestone_remove",
    ),
    path("requests/<int:pk>/construction-period/", views.construction_period, name="construction_period"),
    path("requests/<int:pk>/items/<int:item_pk>/adjust/", views.item_adjust, name="item_adjust"),
]
