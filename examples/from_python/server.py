"""A shop's price service with Python's SimpleXMLRPCServer: the service
main.rs serves with diglot, for comparison.

    python3 server.py [PORT]     (default 8083)
"""
import sys
from xmlrpc.server import SimpleXMLRPCServer

# ANCHOR: python
PRICES = {"apple": 0.5, "pear": 0.75}


def price(item):
    """The price of one item."""
    if item not in PRICES:
        raise KeyError(item)
    return PRICES[item]


def total(items):
    """The price of a basket: item name to quantity."""
    return sum(price(item) * count for item, count in items.items())


def items():
    """Every item for sale."""
    return sorted(PRICES)


port = int(sys.argv[1]) if len(sys.argv) > 1 else 8083
server = SimpleXMLRPCServer(("127.0.0.1", port), logRequests=False, allow_none=True)
server.register_introspection_functions()
server.register_multicall_functions()
server.register_function(price, "shop.price")
server.register_function(total, "shop.total")
server.register_function(items, "shop.items")
# ANCHOR_END: python
print(f"server.py on http://127.0.0.1:{server.server_address[1]}/RPC2", flush=True)
server.serve_forever()
