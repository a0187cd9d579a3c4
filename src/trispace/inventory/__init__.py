"""inventory (库存): stock per variant and location that cannot be oversold, and its moves."""
