from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:pk>/unlock/", views.unlock, name="unlock"),
]
