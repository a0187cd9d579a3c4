"""H5 pages: me."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
