"""orders (订单): cart, checkout, the order state machine, pickup, after-sales and attribution."""
