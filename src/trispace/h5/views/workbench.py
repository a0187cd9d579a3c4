"""H5 pages: workbench."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
