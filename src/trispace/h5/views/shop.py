"""H5 pages: shop."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
