#!/usr/bin/env python3
"""Plain Python clients of a diglot stream server (raw TCP and a Unix socket).

usage: stream_sockets.py --tcp HOST:PORT --unix PATH

Over each of TCP and the Unix socket, with nothing but `socket`:
  * newline-delimited JSON-RPC: several values in ONE send (answers matched
    by id), one value split across two sends (the split falls inside a
    multi-byte UTF-8 character), values back to back without a newline, a
    notification (never answered), a batch, faults;
  * XML-RPC in Content-Length frames (`xmlrpc.client.dumps` / `loads`).
Over the Unix socket only:
  * `xmlrpc.client.ServerProxy` through a transport whose connection is an
    `http.client.HTTPConnection` connecting AF_UNIX (HTTP/1.1 keep-alive on
    the socket);
  * JSON-RPC over HTTP with the same connection class.

Every socket has a 5 s timeout. Prints one line per check and a final
`VERDICT: ok` or `VERDICT: FAIL (n)`.
"""

import http.client
import json
import socket
import sys
import time
import xmlrpc.client

FAILURES = []


def check(condition, what, detail=""):
    if condition:
        print(f"ok   {what}")
    else:
        FAILURES.append(what)
        print(f"FAIL {what} {detail}")


def connect(kind, address):
    if kind == "tcp":
        host, port = address.rsplit(":", 1)
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect(address)
    return sock


class Reader:
    """Reads lines and Content-Length frames off a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError(f"the server closed the connection; buffered {self.buf!r}")
        self.buf += chunk

    def line(self):
        while b"\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def json(self):
        return json.loads(self.line())

    def frame(self):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        length = None
        for line in head.decode("ascii").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if length is None:
            raise ValueError(f"no Content-Length in {head!r}")
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return body


def request(method, params, id=None):
    value = {"jsonrpc": "2.0", "method": method, "params": params}
    if id is not None:
        value["id"] = id
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_lines(kind, address):
    sock = connect(kind, address)
    reader = Reader(sock)

    # Several values in one send: every one answered, matched by id.
    sock.sendall(b"".join(request("calc.add", [i, i * 10], i) + b"\n" for i in range(1, 9)))
    answers = {}
    for _ in range(8):
        answer = reader.json()
        answers[answer["id"]] = answer
    check(
        all(answers.get(i, {}).get("result") == i * 11 for i in range(1, 9)),
        f"{kind}: eight values in one send, eight answers",
        repr(answers),
    )

    # One value split across two sends, inside a multi-byte character.
    text = "héllo wörld ✓"
    data = request("calc.echo", [text], 20) + b"\n"
    cut = data.index("✓".encode("utf-8")) + 1
    sock.sendall(data[:cut])
    time.sleep(0.15)
    sock.sendall(data[cut:])
    answer = reader.json()
    check(
        answer == {"jsonrpc": "2.0", "result": text, "id": 20},
        f"{kind}: one value split across two sends",
        repr(answer),
    )

    # Split in the middle of the header of the value, too.
    data = request("calc.sumAll", [[1.5, 2.5, 3]], 21) + b"\n"
    sock.sendall(data[:7])
    time.sleep(0.1)
    sock.sendall(data[7:])
    answer = reader.json()
    check(answer.get("result") == 7.0 and answer.get("id") == 21, f"{kind}: sumAll split", repr(answer))

    # Back to back without newlines; a notification among them is not answered.
    sock.sendall(
        request("calc.add", [1, 1])
        + request("calc.echo", [{"nested": [1, "two", None]}], 22)
        + request("calc.add", [2, 2], 23)
        + b"\n"
    )
    got = [reader.json(), reader.json()]
    by_id = {a.get("id"): a for a in got}
    check(
        set(by_id) == {22, 23}
        and by_id[22]["result"] == {"nested": [1, "two", None]}
        and by_id[23]["result"] == 4,
        f"{kind}: values back to back; the notification unanswered",
        repr(got),
    )

    # A batch, with a fault inside.
    sock.sendall(
        b"[" + request("calc.add", [5, 6], 30) + b"," + request("calc.div", [1, 0], 31) + b"]\n"
    )
    batch = reader.json()
    by_id = {a.get("id"): a for a in batch} if isinstance(batch, list) else {}
    check(
        by_id.get(30, {}).get("result") == 11
        and by_id.get(31, {}).get("error", {}).get("code") == 2,
        f"{kind}: a batch with a fault",
        repr(batch),
    )

    # An unknown method and invalid params are JSON-RPC errors; the
    # connection goes on.
    sock.sendall(request("calc.pow", [2, 3], 40) + b"\n" + request("calc.add", ["x"], 41) + b"\n")
    errors = {a["id"]: a.get("error", {}).get("code") for a in (reader.json(), reader.json())}
    check(errors == {40: -32601, 41: -32602}, f"{kind}: -32601 and -32602", repr(errors))
    sock.sendall(request("calc.add", [100, 1], 42) + b"\n")
    check(reader.json().get("result") == 101, f"{kind}: still served after errors")
    sock.close()


def xml_in_content_length_frames(kind, address):
    sock = connect(kind, address)
    reader = Reader(sock)
    calls = [
        (xmlrpc.client.dumps((2, 3), "calc.add"), 5),
        (xmlrpc.client.dumps(([0.5, 0.25, 1.0],), "calc.sumAll"), 1.75),
        (xmlrpc.client.dumps(({"k": [1, "v", True]},), "calc.echo"), {"k": [1, "v", True]}),
    ]
    # All three in one send: XML-RPC is answered in order.
    payload = b""
    for body, _ in calls:
        body = body.encode("utf-8")
        payload += b"Content-Length: %d\r\nContent-Type: text/xml\r\n\r\n" % len(body) + body
    sock.sendall(payload)
    for i, (_, expected) in enumerate(calls):
        (result,), _ = xmlrpc.client.loads(reader.frame())
        check(result == expected, f"{kind}: XML-RPC call {i} in a Content-Length frame", repr(result))
    body = xmlrpc.client.dumps((1.0, 0.0), "calc.div").encode("utf-8")
    sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    try:
        xmlrpc.client.loads(reader.frame())
        check(False, f"{kind}: XML-RPC fault")
    except xmlrpc.client.Fault as fault:
        check(fault.faultCode == 2, f"{kind}: XML-RPC fault (sniffed, no Content-Type)", repr(fault))
    sock.close()


class UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection over a Unix domain socket."""

    def __init__(self, path, timeout=5):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


class UnixTransport(xmlrpc.client.Transport):
    """`xmlrpc.client` transport over a Unix socket; keeps the connection."""

    def __init__(self, path):
        super().__init__()
        self.socket_path = path
        self.connections_made = 0

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        self.connections_made += 1
        self._connection = host, UnixHTTPConnection(self.socket_path)
        return self._connection[1]


def xmlrpc_client_over_unix(path):
    transport = UnixTransport(path)
    proxy = xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=transport, allow_none=True)
    check(proxy.calc.add(2, 3) == 5, "ServerProxy over AF_UNIX: calc.add")
    check(proxy.calc.div(1.0, 4.0) == 0.25, "ServerProxy: calc.div")
    check(proxy.calc.sumAll([1, 2.5, -0.5]) == 3.0, "ServerProxy: calc.sumAll")
    value = {"name": "héllo <&>", "list": [1, 2.5, True, None, {"deep": ["x"]}]}
    echoed = proxy.calc.echo(value)
    check(echoed == value, "ServerProxy: calc.echo of nested values", repr(echoed))
    try:
        proxy.calc.div(1.0, 0.0)
        check(False, "ServerProxy: a fault is raised")
    except xmlrpc.client.Fault as fault:
        check(fault.faultCode == 2 and "division by zero" in fault.faultString, "ServerProxy: fault", repr(fault))
    methods = proxy.system.listMethods()
    check("calc.add" in methods and "probe.delayed" in methods, "ServerProxy: system.listMethods", repr(methods))
    check(
        transport.connections_made == 1,
        "ServerProxy: every call on one kept-alive Unix connection",
        f"{transport.connections_made} connections",
    )
    transport.close()


def json_over_http_over_unix(path):
    connection = UnixHTTPConnection(path)
    body = request("calc.add", [20, 22], 1)
    connection.request("POST", "/RPC2", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    check(response.status == 200 and answer.get("result") == 42, "JSON-RPC over HTTP over AF_UNIX", repr(answer))
    connection.close()


def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    tcp, unix = args["--tcp"], args["--unix"]
    for kind, address in (("tcp", tcp), ("unix", unix)):
        json_lines(kind, address)
        xml_in_content_length_frames(kind, address)
    xmlrpc_client_over_unix(unix)
    json_over_http_over_unix(unix)
    if FAILURES:
        print(f"VERDICT: FAIL ({len(FAILURES)}): {', '.join(FAILURES)}")
        sys.exit(1)
    print("VERDICT: ok")


if __name__ == "__main__":
    main()
