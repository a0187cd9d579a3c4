from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "trispace.api"
    label = "api"
