#!/usr/bin/env python3
"""A plain Python socket subscribing to the calculator's `calc.ticks`.

usage: subscribe_lines.py (--unix PATH | --tcp HOST:PORT) [--count N]

Newline-delimited JSON-RPC over one connection, with nothing but `socket`:
  * subscribes to N ticks 5 ms apart: the answer (the subscription id)
    comes first, then N notifications carrying 1..N in order under that id,
    then the end notice `"end": "completed"`;
  * subscribes to a long-running one, reads 3 ticks, unsubscribes: the
    answer is `true` (ticks already on the way may come before it), and no
    tick of it comes after the answer; unsubscribing again answers `false`;
  * an ordinary call on the same connection between the two is answered;
  * the same subscription sent as XML-RPC is refused with fault -32001.

Every socket has a 5 s timeout. Prints one line per check and a final
`VERDICT: ok` or `VERDICT: FAIL (n)`.
"""

import json
import socket
import sys
import xmlrpc.client

FAILURES = []


def check(condition, what, detail=""):
    if condition:
        print(f"ok   {what}")
    else:
        FAILURES.append(what)
        print(f"FAIL {what} {detail}")


def connect(args):
    if "--unix" in args:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(5)
        sock.connect(args[args.index("--unix") + 1])
        return sock
    host, port = args[args.index("--tcp") + 1].rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=5)


class Lines:
    """JSON values, one per line, over a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.file = sock.makefile("rb")

    def send(self, value):
        self.sock.sendall(json.dumps(value).encode() + b"\n")

    def recv(self):
        line = self.file.readline()
        if not line:
            raise EOFError("the server closed the connection")
        return json.loads(line)


def ticks_of(message, sid):
    params = message.get("params", {})
    return message.get("method") == "calc.ticks" and params.get("subscription") == sid


def main(args):
    count = int(args[args.index("--count") + 1]) if "--count" in args else 10
    lines = Lines(connect(args))

    lines.send({"jsonrpc": "2.0", "id": 1, "method": "calc.ticks", "params": [count, 5]})
    answer = lines.recv()
    sid = answer.get("result")
    check(isinstance(sid, int) and answer.get("id") == 1, "the answer comes first, with an id", answer)
    items = [lines.recv() for _ in range(count)]
    check(all(ticks_of(m, sid) for m in items), f"{count} notifications under that id")
    check([m["params"].get("result") for m in items] == list(range(1, count + 1)),
          f"carrying 1..{count} in order", items[:3])
    end = lines.recv()
    check(ticks_of(end, sid) and end["params"].get("end") == "completed",
          "then the end notice", end)

    lines.send({"jsonrpc": "2.0", "id": 2, "method": "calc.add", "params": [2, 3]})
    check(lines.recv() == {"jsonrpc": "2.0", "result": 5, "id": 2}, "an ordinary call between")

    lines.send({"jsonrpc": "2.0", "id": 3, "method": "calc.ticks",
                "params": {"count": 1000000, "interval_ms": 5}})
    answer = lines.recv()
    long_id = answer.get("result")
    check(answer.get("id") == 3 and long_id != sid, "a second subscription, another id", answer)
    first = [lines.recv() for _ in range(3)]
    check([m["params"].get("result") for m in first] == [1, 2, 3], "its first three ticks", first)
    lines.send({"jsonrpc": "2.0", "id": 4, "method": "calc.unticks", "params": [long_id]})
    while True:
        message = lines.recv()
        if "id" in message:
            break
        check(ticks_of(message, long_id), "only its ticks before the answer", message)
    check(message == {"jsonrpc": "2.0", "result": True, "id": 4}, "unsubscribed: true", message)
    lines.send({"jsonrpc": "2.0", "id": 5, "method": "calc.unticks", "params": [long_id]})
    check(lines.recv() == {"jsonrpc": "2.0", "result": False, "id": 5},
          "unsubscribing again: false (and no tick came after the answer)")

    body = xmlrpc.client.dumps((3, 5), "calc.ticks").encode()
    sock = lines.sock
    # A Content-Length frame needs a connection of its own: the first bytes
    # fix a connection's framing.
    xml_sock = connect(args)
    xml_sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    reply = b""
    while b"</methodResponse>" not in reply:
        chunk = xml_sock.recv(65536)
        if not chunk:
            break
        reply += chunk
    try:
        xmlrpc.client.loads(reply.split(b"\r\n\r\n", 1)[1])
        check(False, "XML-RPC is refused", reply)
    except xmlrpc.client.Fault as fault:
        check(fault.faultCode == -32001 and "XML-RPC" in fault.faultString,
              "XML-RPC is refused with -32001", fault.faultString)
    xml_sock.close()
    sock.close()

    print(f"VERDICT: {'ok' if not FAILURES else f'FAIL ({len(FAILURES)})'}")
    return 0 if not FAILURES else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
