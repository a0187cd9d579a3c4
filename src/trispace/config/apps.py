from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The composition root: wires event handlers once the app registry is ready."""

    name = "trispace.config"
    label = "trispace_config"
    verbose_name = "Configuration"

    def ready(self) -> None:
        from trispace.config import event_wiring

        event_wiring.wire()
