"""Back-office pages, one module per context; every page calls the same services as the API."""
