from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/ask/", views.consultation_create, name="consultation_create"),
    path("consultations/record/", views.consultation_record, name="consultation_record"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/contact/", views.consultation_contact, name="consultation_contact"),
    path("consultations/<int:pk>/answer/", views.consultation_answer, name="consultation_answer"),
    path("consultations/<int:pk>/publish/", views.consultation_publish, name="consultation_publish"),
    path("requests/<int:pk>/meetings/", views.meeting_list, name="meeting_list"),
    path(
        "requests/<int:pk>/follow-ups/<int:follow_up_pk>/done/", views.follow_up_done, name="follow_up_done"
    ),
]
