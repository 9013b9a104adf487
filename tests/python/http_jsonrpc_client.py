"""jsonrpclib-pelix (a JSON-RPC 2.0 client from PyPI) against a diglot server.

Driven by tests/tests/http_jsonrpc_clients.rs, which serves the `j.*` test
service and runs:

    python3 http_jsonrpc_client.py http://127.0.0.1:PORT/RPC2

Calls by position, by name (keyword arguments), in a batch
(jsonrpclib.MultiCall, with a notification inside), and notifications
(`proxy._notify.method(...)`), whose effect is read back with `j.total`.

jsonrpclib-pelix is installed by .ci/run; when it is missing the script
exits with status 3 and says how to install it.

Each check prints a line; the last line is `VERDICT: ok N checks` or
`VERDICT: FAILED ...`, and the exit status is 0 only for ok.
"""

import sys
import traceback

try:
    import jsonrpclib
    import jsonrpclib.jsonrpc as jr
except ImportError as e:
    print("MISSING jsonrpclib: %s" % e)
    print("VERDICT: FAILED jsonrpclib-pelix is not installed; "
          "run `python3 -m pip install jsonrpclib-pelix`")
    sys.exit(3)

checks = 0
failures = []


def check(name, got, want):
    global checks
    checks += 1
    if type(got) is type(want) and got == want:
        print("ok   %s" % name)
    else:
        failures.append(name)
        print("FAIL %s:\n  got  %r\n  want %r" % (name, got, want))


def call(name, thunk, want):
    try:
        got = thunk()
    except Exception as e:  # noqa: BLE001 - any exception is a failed check
        global checks
        checks += 1
        failures.append(name)
        print("FAIL %s: raised %s: %r" % (name, type(e).__name__, e.args))
        return
    check(name, got, want)


def error_code(e):
    """The code of a JSON-RPC error as jsonrpclib raises it: ProtocolError
    ((code, message)) for -32768..-32000, AppError ((code, message, data))
    for the rest."""
    if isinstance(e, jr.ProtocolError) and e.args and isinstance(e.args[0], tuple):
        return e.args[0][0]
    return None


def error(name, thunk, code):
    global checks
    checks += 1
    try:
        got = thunk()
    except jr.ProtocolError as e:  # AppError is a ProtocolError
        if error_code(e) == code:
            print("ok   %s (%s %r)" % (name, type(e).__name__, e.args[0]))
        else:
            failures.append(name)
            print("FAIL %s: %s %r, wanted code %d" % (name, type(e).__name__, e.args, code))
        return
    except Exception as e:  # noqa: BLE001
        failures.append(name)
        print("FAIL %s: raised %s %r, wanted code %d" % (name, type(e).__name__, e.args, code))
        return
    failures.append(name)
    print("FAIL %s: returned %r, wanted error %d" % (name, got, code))


def notify(url, name, send):
    """Sends a notification on a proxy of its own; it must return None
    (diglot answers 200 with an empty body). Whether the server ran the
    notification is checked with j.total."""
    global checks
    checks += 1
    proxy = jsonrpclib.ServerProxy(url)
    try:
        got = send(proxy)
    except Exception as e:  # noqa: BLE001
        failures.append(name)
        print("FAIL %s: raised %s %r" % (name, type(e).__name__, e.args))
        return
    if got is None:
        print("ok   %s (returned None)" % name)
    else:
        failures.append(name)
        print("FAIL %s: returned %r, wanted None" % (name, got))


def main(url):
    proxy = jsonrpclib.ServerProxy(url)
    j = proxy.j

    # by position
    call("subtract by position", lambda: j.subtract(42, 23), 19)
    call("subtract by position, big", lambda: j.subtract(2**40, -1), 2**40 + 1)
    call("greet by position", lambda: j.greet("ann", "hi"), "hi ann")
    call("greet by position, optional left out", lambda: j.greet("bo"), "hello bo")
    # by name (keyword arguments become a JSON object)
    call("subtract by name", lambda: j.subtract(subtrahend=23, minuend=42), 19)
    call("greet by name", lambda: j.greet(greeting="hey", name="cy"), "hey cy")
    call("greet by name, optional left out", lambda: j.greet(name="dee"), "hello dee")
    nested = {"a": [1, 2.5, None, True, "\u00fc <&>"], "b": {"c": []}}
    call("echo a nested value", lambda: j.echo(nested), nested)
    call("echo by name", lambda: j.echo(value=[1, "two"]), [1, "two"])
    # errors
    error("application error", lambda: j.refuse(7), 7)
    error("unknown method is -32601", lambda: j.nope(1), -32601)
    error("wrong parameter type is -32602", lambda: j.subtract("x", 1), -32602)
    error("unknown parameter name is -32602", lambda: j.subtract(minuend=1, nope=2), -32602)
    error("missing parameter is -32602", lambda: j.subtract(1), -32602)
    call("the proxy still works after errors", lambda: j.subtract(1, 1), 0)

    # batch
    batch = jsonrpclib.MultiCall(proxy)
    batch.j.subtract(10, 3)
    batch.j.greet(name="eve")
    batch._notify.j.record(1000)
    batch.j.nope()
    batch.j.refuse(9)
    batch.j.subtract(minuend=5, subtrahend=6)
    try:
        results = batch()
        check("batch answers every call but the notification", len(results), 5)
        call("batch result 0", lambda: results[0], 7)
        call("batch result 1", lambda: results[1], "hello eve")
        error("batch result 2 is -32601", lambda: results[2], -32601)
        error("batch result 3 is the application error", lambda: results[3], 9)
        call("batch result 4", lambda: results[4], -1)
    except Exception as e:  # noqa: BLE001
        failures.append("batch")
        print("FAIL batch raised %s %r" % (type(e).__name__, e.args))

    # notifications: no answer, but they run
    before = j.total()
    check("the batch's notification ran", before, 1000)
    notify(url, "notification by position", lambda p: p._notify.j.record(5))
    notify(url, "notification by name", lambda p: p._notify.j.record(n=7))
    notify(url, "notification of an unknown method", lambda p: p._notify.j.nope(1))
    notify(url, "notification that fails", lambda p: p._notify.j.refuse(3))

    def all_notifications(p):
        b = jsonrpclib.MultiCall(p)
        b._notify.j.record(11)
        b._notify.j.record(13)
        got = b()
        # jsonrpclib gives an empty result list when the body is empty.
        return None if got is None or len(got) == 0 else got
    notify(url, "a batch of notifications only", all_notifications)
    call("every notification ran", lambda: jsonrpclib.ServerProxy(url).j.total(),
         1000 + 5 + 7 + 11 + 13)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: http_jsonrpc_client.py URL", file=sys.stderr)
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
