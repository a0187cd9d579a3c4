"""payments (支付): payments and refunds through provider adapters (offline, simulated, WeChat Pay)."""
