"""Python's own SimpleXMLRPCServer: a server that speaks XML-RPC only.

Standard library only. Driven by tests/tests/cli.rs, which runs

    python3 xmlrpc_only_server.py

reads the port from the first line of stdout, points the `diglot` command
line at it without --xml, and kills the process when done. A JSON-RPC body
sent here is answered with an XML-RPC fault, which is how the command line
learns to ask again in XML-RPC.
"""

import sys
from xmlrpc.server import SimpleXMLRPCServer


def power(base, exponent):
    """Raises base to the power of exponent.

    Both are integers."""
    return base**exponent


def shout(text):
    """Upper-cases a string."""
    return text.upper()


server = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
server.register_introspection_functions()
server.register_multicall_functions()
server.register_function(power, "math.power")
server.register_function(shout, "text.shout")
print(server.server_address[1], flush=True)
server.serve_forever()
