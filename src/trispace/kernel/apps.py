from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "trispace.kernel"
    label = "kernel"
    verbose_name = "Kernel"
