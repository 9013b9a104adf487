#!/bin/sh
# Calls the calculator with curl, in both protocols: the body is the
# protocol, written by hand.
#
#   sh call-curl.sh [URL]    (default http://127.0.0.1:8080/RPC2)
set -u
url=${1:-http://127.0.0.1:8080/RPC2}
command -v curl >/dev/null || { echo "curl: not found; install curl" >&2; exit 127; }

# ANCHOR: xmlrpc
# diglot ends an XML-RPC answer with a newline, a JSON-RPC one without.
xmlrpc() {
    curl -sS "$url" -H 'Content-Type: text/xml' -d "$1"
}
xmlrpc '<?xml version="1.0"?>
<methodCall><methodName>calc.add</methodName><params>
  <param><value><int>2</int></value></param>
  <param><value><int>3</int></value></param>
</params></methodCall>'
xmlrpc '<?xml version="1.0"?>
<methodCall><methodName>calc.div</methodName><params>
  <param><value><double>1</double></value></param>
  <param><value><double>0</double></value></param>
</params></methodCall>'
# ANCHOR_END: xmlrpc

# ANCHOR: jsonrpc
jsonrpc() {
    curl -sS "$url" -H 'Content-Type: application/json' -d "$1"
    echo
}
jsonrpc '{"jsonrpc": "2.0", "method": "calc.add", "params": [2, 3], "id": 1}'
jsonrpc '{"jsonrpc": "2.0", "method": "calc.add", "params": {"a": 2, "b": 3}, "id": 2}'
jsonrpc '{"jsonrpc": "2.0", "method": "calc.sumAll", "params": [[1.5, 2.5, 3]], "id": 3}'
jsonrpc '{"jsonrpc": "2.0", "method": "calc.echo", "params": [{"x": 3, "y": 4}], "id": 4}'
jsonrpc '{"jsonrpc": "2.0", "method": "calc.div", "params": [1, 0], "id": 5}'
# ANCHOR_END: jsonrpc
