"""H5 pages: cashier."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
