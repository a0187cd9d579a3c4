from django.apps import AppConfig


class H5Config(AppConfig):
    name = "trispace.h5"
    label = "h5"
