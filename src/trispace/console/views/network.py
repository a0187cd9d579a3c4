"""Back-office pages of network."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
