"""The bench servers' urlconf: every real URL, plus the checkout baseline under /bench/."""

from django.urls import path

from trispace.config.bench import baseline
from trispace.config.urls import urlpatterns as real

urlpatterns = [
    path("bench/baseline/orders", baseline.place, name="baseline-place"),
    path("bench/baseline/orders/<int:order_id>/pay", baseline.pay, name="baseline-pay"),
    path("bench/baseline/notify", baseline.notify, name="baseline-notify"),
    *real,
]
