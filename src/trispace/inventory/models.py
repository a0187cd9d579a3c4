"""Tables of inventory."""
