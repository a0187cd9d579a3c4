"""api: the JSON API under /api/ (django-ninja) composed from each context's router."""
