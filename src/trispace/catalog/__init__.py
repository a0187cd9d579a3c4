"""catalog (商品与价格): products (SPU), variants (SKU), categories, images and channel price lists."""
