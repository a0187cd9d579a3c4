"""Trispace (三度空间): community commerce for a brand whole sales network."""
