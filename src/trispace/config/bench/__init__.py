"""Benchmarks (``trispace bench <name>``): each prints one JSON object of figures.

Timing belongs here, never in tests. Each benchmark runs against a fresh database created
beside the configured one (Django's test-database machinery: ``test_<name>`` on PostgreSQL, a
file under ``var/`` on SQLite), so the configured database is never touched.
"""
