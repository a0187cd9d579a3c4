from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "trispace.inventory"
    label = "inventory"
