from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("working-groups/<int:pk>/", views.working_group_detail, name="working_group_detail"),
    path("working-groups/<int:pk>/changes/", views.working_group_change, name="working_group_change"),
]
