"""H5 pages: auth."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
