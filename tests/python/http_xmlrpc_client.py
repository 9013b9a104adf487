"""CPython's xmlrpc.client against a diglot server over HTTP.

Standard library only. Driven by tests/tests/http_python.rs, which serves the
`py.*` test service and runs:

    python3 http_xmlrpc_client.py http://127.0.0.1:PORT/RPC2

Every method of the service is called through xmlrpc.client.ServerProxy
(allow_none=True, use_builtin_types=True); faults must arrive as
xmlrpc.client.Fault with the right faultCode; introspection and MultiCall are
exercised; a large response must come back gzip-compressed (Python sends
`Accept-Encoding: gzip`) and a second proxy sends gzip-compressed requests
(`Transport.encode_threshold`).

Each check prints a line; the last line is `VERDICT: ok N checks` or
`VERDICT: FAILED ...`, and the exit status is 0 only for ok.
"""

import datetime
import math
import sys
import traceback
import xmlrpc.client as xc

checks = 0
failures = []


def same(got, want):
    """Strict equality: same types (True is not 1, int is not float), the
    sign of zero, and the order of struct members."""
    if type(got) is not type(want):
        return False
    if isinstance(want, float):
        return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)
    if isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(same(a, b) for a, b in zip(got, want))
    if isinstance(want, dict):
        return list(got) == list(want) and all(same(got[k], want[k]) for k in want)
    return got == want


def check(name, got, want):
    global checks
    checks += 1
    if same(got, want):
        print("ok   %s" % name)
    else:
        failures.append(name)
        print("FAIL %s:\n  got  %r\n  want %r" % (name, got, want))


def call(name, thunk, want):
    """Checks that thunk() returns want; an exception is a failure."""
    try:
        got = thunk()
    except Exception as e:  # noqa: BLE001 - any exception is a failed check
        global checks
        checks += 1
        failures.append(name)
        print("FAIL %s: raised %s: %s" % (name, type(e).__name__, e))
        return
    check(name, got, want)


def fault(name, thunk, code, message=None):
    """Checks that thunk() raises xmlrpc.client.Fault with faultCode code."""
    global checks
    checks += 1
    try:
        got = thunk()
    except xc.Fault as f:
        if f.faultCode != code or (message is not None and f.faultString != message):
            failures.append(name)
            print("FAIL %s: Fault(%r, %r), wanted code %r message %r"
                  % (name, f.faultCode, f.faultString, code, message))
        else:
            print("ok   %s (Fault %d: %s)" % (name, f.faultCode, f.faultString))
        return
    except Exception as e:  # noqa: BLE001
        failures.append(name)
        print("FAIL %s: raised %s: %s, wanted Fault %d" % (name, type(e).__name__, e, code))
        return
    failures.append(name)
    print("FAIL %s: returned %r, wanted Fault %d" % (name, got, code))


class Recording(xc.Transport):
    """A transport that records each response's Content-Encoding and each
    request's headers."""

    def __init__(self, **kwargs):
        super().__init__(use_builtin_types=True, **kwargs)
        self.response_encodings = []
        self.request_headers = []

    def send_content(self, connection, request_body):
        sent = []
        original = connection.putheader

        def putheader(name, *values):
            sent.append((name.lower(), [str(v) for v in values]))
            return original(name, *values)

        connection.putheader = putheader
        try:
            return super().send_content(connection, request_body)
        finally:
            connection.putheader = original
            self.request_headers.append(sent)

    def parse_response(self, response):
        self.response_encodings.append(response.getheader("Content-Encoding", ""))
        return super().parse_response(response)


def as_xml_reads(text):
    """Python writes a carriage return raw; XML 1.0 (section 2.11) reads
    every CRLF and every lone CR as LF, so that is what the server gets."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


STRINGS = [
    ("ascii", "plain"),
    ("empty", ""),
    ("unicode", "h\u00e9llo w\u00f6rld \u65e5\u672c\u8a9e"),
    ("emoji", "\U0001f980 crab"),
    ("markup", "<&> ]]> &amp; \"'"),
    ("cr", "\r"),
    ("crlf", "a\r\nb"),
    ("tab_lf", "\tx\ny\t"),
]


def main(url):
    transport = Recording()
    proxy = xc.ServerProxy(url, transport=transport, allow_none=True, use_builtin_types=True)
    py = proxy.py

    # nil
    call("nothing returns nil", lambda: py.nothing(), None)
    call("maybe(None) is None", lambda: py.maybe(None), None)
    call("maybe(41) is 42", lambda: py.maybe(41), 42)
    # bool
    call("negate(True)", lambda: py.negate(True), False)
    call("negate(False)", lambda: py.negate(False), True)
    # int
    call("add", lambda: py.add(2, 3), 5)
    call("add at the int limits", lambda: py.add(2**31 - 1, -(2**31)), -1)
    # i8: the server returns i64 past 32 bits
    call("widen(3) is 3 << 32", lambda: py.widen(3), 3 << 32)
    call("widen(-1) is -(1 << 32)", lambda: py.widen(-1), -(1 << 32))
    call("widen(2**31 - 1)", lambda: py.widen(2**31 - 1), (2**31 - 1) << 32)
    # double
    call("scale", lambda: py.scale(1.5, -2.0), -3.0)
    call("scale to -0.0", lambda: py.scale(0.0, -1.0), -0.0)
    call("scale 0.1 by 3", lambda: py.scale(0.1, 3.0), 0.1 * 3.0)
    call("scale 1e300 by 1e8", lambda: py.scale(1e300, 1e8), 1e300 * 1e8)
    # strings: what the server received, code point by code point, and the echo
    for name, text in STRINGS:
        read = as_xml_reads(text)
        call("text %s" % name, lambda text=text: py.text(text),
             {"chars": [ord(c) for c in read], "echo": read, "len": len(read)})
    # datetime
    call("next_year", lambda: py.next_year(datetime.datetime(1998, 7, 17, 14, 8, 55)),
         datetime.datetime(1999, 7, 17, 14, 8, 55))
    call("next_year from year 1", lambda: py.next_year(datetime.datetime(1, 1, 1, 0, 0, 0)),
         datetime.datetime(2, 1, 1, 0, 0, 0))
    fault("next_year past 9999 is an application fault",
          lambda: py.next_year(datetime.datetime(9999, 12, 31, 23, 59, 59)), 3)
    # Binary / bytes
    call("reverse bytes", lambda: py.reverse(b"\x00\x01\xfe\xff diglot"), b"tolgid \xff\xfe\x01\x00")
    call("reverse empty bytes", lambda: py.reverse(b""), b"")
    call("reverse xmlrpc.client.Binary", lambda: py.reverse(xc.Binary(b"ab")), b"ba")
    call("reverse 256 bytes", lambda: py.reverse(bytes(range(256))), bytes(reversed(range(256))))
    # nested structs and arrays, typed on the server
    shape = {
        "name": "tri\u00e1ngulo <&>",
        "points": [{"x": 0, "y": 0}, {"x": 3, "y": -4}, {"x": 2**31 - 1, "y": 1}],
        "style": {"color": None, "weights": [1.5, 2.0], "tags": ["a", "\r"]},
    }
    call("shift a nested struct", lambda: py.shift(shape, 1), {
        "name": "tri\u00e1ngulo <&>",
        "points": [{"x": 1, "y": 1}, {"x": 4, "y": -3}, {"x": 2**31, "y": 2}],
        "style": {"color": None, "weights": [1.5, 2.0], "tags": ["a", "\n"]},
    })
    # anything, untyped on the server (diglot::Value)
    anything = {
        "zeta": [1, "two", 3.0, None, True, b"\x00", datetime.datetime(2028, 7, 19, 13, 43, 20)],
        "alpha": {"inner": {}, "list": [], "deep": [[[{"x": "a\r\nb <&>"}]]]},
        "": "empty name",
        "<&> \u00fc": -0.0,
    }
    echoed = dict(anything, alpha={"inner": {}, "list": [], "deep": [[[{"x": "a\nb <&>"}]]]})
    call("echo a nested value keeps types and member order", lambda: py.echo(anything), echoed)
    call("echo a bare array", lambda: py.echo([[], {}, [None]]), [[], {}, [None]])
    # async method
    call("async later", lambda: py.later(41), 42)

    # faults
    fault("application fault", lambda: py.refuse(42, "refused <&> \u00fc"), 42, "refused <&> \u00fc")
    fault("negative application fault", lambda: py.refuse(-1, "minus one"), -1, "minus one")
    fault("unknown method is -32601", lambda: py.no_such_method(1), -32601)
    fault("unknown namespace is -32601", lambda: proxy.nope.add(1, 2), -32601)
    fault("wrong parameter type is -32602", lambda: py.add("x", 1), -32602)
    fault("missing parameter is -32602", lambda: py.add(1), -32602)
    fault("too many parameters is -32602", lambda: py.add(1, 2, 3), -32602)
    fault("struct with a wrong member type is -32602",
          lambda: py.shift({"name": "n", "points": [{"x": "one", "y": 2}],
                            "style": {"color": None, "weights": [], "tags": []}}, 1), -32602)
    call("the proxy still works after faults", lambda: py.add(20, 22), 42)

    # introspection
    try:
        names = proxy.system.listMethods()
        for expected in ["py.add", "py.widen", "py.text", "py.shift", "py.echo", "py.repeat",
                         "system.listMethods", "system.methodHelp", "system.methodSignature",
                         "system.multicall"]:
            check("listMethods has %s" % expected, expected in names, True)
        check("listMethods is a list of str", all(type(n) is str for n in names), True)
    except Exception as e:  # noqa: BLE001
        failures.append("system.listMethods")
        print("FAIL system.listMethods raised %r" % (e,))
    call("methodHelp", lambda: proxy.system.methodHelp("py.add"), "Adds two integers.")
    call("methodSignature of add", lambda: proxy.system.methodSignature("py.add"),
         [["int", "int", "int"]])
    call("methodSignature of widen", lambda: proxy.system.methodSignature("py.widen"),
         [["i8", "int"]])
    fault("methodHelp of an unknown method", lambda: proxy.system.methodHelp("py.nope"), -32601)

    # MultiCall (system.multicall)
    multi = xc.MultiCall(proxy)
    multi.py.add(1, 2)
    multi.py.refuse(7, "seven")
    multi.py.negate(True)
    multi.py.no_such_method()
    multi.py.add("x")
    multi.py.widen(1)
    try:
        results = multi()
        call("multicall result 0", lambda: results[0], 3)
        fault("multicall result 1 is the application fault", lambda: results[1], 7, "seven")
        call("multicall result 2", lambda: results[2], False)
        fault("multicall result 3 is -32601", lambda: results[3], -32601)
        fault("multicall result 4 is -32602", lambda: results[4], -32602)
        call("multicall result 5", lambda: results[5], 1 << 32)
    except Exception as e:  # noqa: BLE001
        failures.append("multicall")
        print("FAIL multicall raised %r" % (e,))

    # gzip responses: Python sends Accept-Encoding: gzip and decodes.
    del transport.response_encodings[:]
    call("a small response", lambda: py.add(1, 1), 2)
    check("a small response is not compressed", transport.response_encodings, [""])
    del transport.response_encodings[:]
    big = "diglot \u00fc <&>\n" * 2000
    call("a large response decoded from gzip", lambda: py.repeat("diglot \u00fc <&>\n", 2000), big)
    check("a large response came gzip-compressed", transport.response_encodings, ["gzip"])

    # gzip requests: Transport.encode_threshold compresses request bodies.
    zipping = Recording()
    zipping.encode_threshold = 0
    zproxy = xc.ServerProxy(url, transport=zipping, allow_none=True, use_builtin_types=True)
    call("a gzip request", lambda: zproxy.py.add(40, 2), 42)
    call("a large gzip request", lambda: zproxy.py.measure(big), len(big))
    call("a large gzip request and response", lambda: zproxy.py.echo([big, b"\x00" * 5000]),
         [big, b"\x00" * 5000])
    fault("a gzip request's fault", lambda: zproxy.py.refuse(5, "five"), 5, "five")
    gzipped = [("content-encoding", ["gzip"]) in sent for sent in zipping.request_headers]
    check("every request was sent with Content-Encoding: gzip", gzipped, [True] * len(gzipped))
    check("the large response to a gzip request was compressed",
          zipping.response_encodings[-2], "gzip")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: http_xmlrpc_client.py URL", file=sys.stderr)
        sys.exit(2)
    try:
        main(sys.argv[1])
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        failures.append("uncaught exception")
    if failures:
        print("VERDICT: FAILED %d of %d checks: %s" % (len(failures), checks, ", ".join(failures)))
        sys.exit(1)
    print("VERDICT: ok %d checks" % checks)
