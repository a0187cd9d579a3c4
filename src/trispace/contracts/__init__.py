"""contracts: the published events, one module per owning context.

A lower context learns about a higher one's facts only through these dataclasses. Each event is
past tense, carries ids and plain values, and is stable once published: add fields with
defaults, never rename or remove.
"""
