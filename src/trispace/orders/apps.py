from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "trispace.orders"
    label = "orders"
