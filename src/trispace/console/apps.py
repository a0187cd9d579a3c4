from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "trispace.console"
    label = "console"
