from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password_change"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/code/", views.password_reset_confirm, name="password_reset_confirm"),
    path("activate/", views.activate, name="activate"),
    path("walk-in/<int:pk>/", views.walk_in_account, name="walk_in_account"),
    path("walk-in/<int:pk>/resend/", views.resend_activation, name="resend_activation"),
    path("second-factor/", views.otp_verify, name="otp_verify"),
    path("second-factor/enrol/", views.otp_enrol, name="otp_enrol"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:pk>/unlock/", views.unlock, name="unlock"),
]
