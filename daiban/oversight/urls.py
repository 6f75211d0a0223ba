from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("issues/", views.issue_list, name="issue_list"),
    path("issues/raise/<int:item_pk>/", views.raise_from_item, name="raise_from_item"),
]
