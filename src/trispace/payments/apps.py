from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "trispace.payments"
    label = "payments"
