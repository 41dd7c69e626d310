"""Ahead of django.contrib.auth.urls: the account views that carry the portal's rules."""

from django.urls import path

from . import views

urlpatterns = [
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
]
