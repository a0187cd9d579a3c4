"""Back-office pages of inventory."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
