"""Seeding: a realistic demo network built by bulk inserts (``trispace seed``, ``trispace demo``).

``seed.seed()`` is the entry point; ``network`` and ``catalog`` build the tables, ``names`` and
``images`` make the content, ``bulk`` writes fast, ``reset`` takes it all away again and
``demo`` adds the well-known logins.
"""
