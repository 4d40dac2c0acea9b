"""Staff pages of accounts."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import otp, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("login/otp/", otp.otp_verify, name="otp_verify"),
    path("login/otp/setup/", otp.otp_setup, name="otp_setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("me/", views.home, name="me"),
    path("healthz/", views.health, name="health"),
]
