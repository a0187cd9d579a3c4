"""Back-office pages of auth."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
