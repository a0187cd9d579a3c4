from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "trispace.ledger"
    label = "ledger"
