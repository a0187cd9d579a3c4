"""Tables of orders."""
