"""H5 pages (the mobile shop and workbench), one module per concern."""
