"""Calls the shop with xmlrpc.client, as an existing Python client does, and
prints what it gets: the same for server.py and for main.rs.

    python3 client.py URL
"""
import sys
import xmlrpc.client

# ANCHOR: client
shop = xmlrpc.client.ServerProxy(sys.argv[1])
print("items:", shop.shop.items())
print("price:", shop.shop.price("pear"))
print("total:", shop.shop.total({"apple": 4, "pear": 2}))
try:
    shop.shop.price("plum")
except xmlrpc.client.Fault as fault:
    print("fault:", fault.faultCode)
print("help:", shop.system.methodHelp("shop.price"))
print("listed:", sorted(m for m in shop.system.listMethods() if m.startswith("shop.")))
calls = xmlrpc.client.MultiCall(shop)
calls.shop.price("apple")
calls.shop.items()
print("multicall:", list(calls()))
# ANCHOR_END: client
