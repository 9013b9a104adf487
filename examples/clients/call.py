"""Calls the calculator from Python's standard library: XML-RPC with
xmlrpc.client, JSON-RPC 2.0 with urllib.

    python3 call.py [URL]    (default http://127.0.0.1:8080/RPC2)
"""
# ANCHOR: client
import json
import sys
import urllib.request
import xmlrpc.client

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/RPC2"

calc = xmlrpc.client.ServerProxy(url)
print("calc.add(2, 3) =", calc.calc.add(2, 3))
print("calc.sumAll([1.5, 2.5, 3]) =", calc.calc.sumAll([1.5, 2.5, 3]))
print("calc.echo({'x': 3, 'y': 4}) =", calc.calc.echo({"x": 3, "y": 4}))
try:
    calc.calc.div(1, 0)
except xmlrpc.client.Fault as fault:
    print("calc.div(1, 0) raised", fault)


def call(method, params, id=1):
    """One JSON-RPC 2.0 call: the answer's result, or its error object."""
    body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": id})
    request = urllib.request.Request(
        url, body.encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        answer = json.load(response)
    return answer["result"] if "result" in answer else answer["error"]


print("JSON-RPC calc.add(a=2, b=3) =", call("calc.add", {"a": 2, "b": 3}))
print("JSON-RPC calc.div(1, 0) =", call("calc.div", [1, 0], id=2))
# ANCHOR_END: client
