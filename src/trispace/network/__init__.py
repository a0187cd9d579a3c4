"""network (渠道网络): the brand → dealers → stores tree, regions, addresses, roles in organizations."""
