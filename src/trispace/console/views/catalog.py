"""Back-office pages of catalog."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
