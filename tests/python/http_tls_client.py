"""CPython's xmlrpc.client over HTTPS against a diglot server.

Standard library only. Driven by tests/tests/http_tls.rs, which serves the
calculator over HTTPS with a fresh self-signed certificate for localhost and
127.0.0.1, writes it to a PEM file, and runs:

    python3 http_tls_client.py PORT CAFILE

The certificate is verified against CAFILE (by host name and by IP address);
without it, verification must fail.

Each check prints a line; the last line is `VERDICT: ok N checks` or
`VERDICT: FAILED ...`, and the exit status is 0 only for ok.
"""

import ssl
import sys
import traceback
import xmlrpc.client as xc

checks = 0
failures = []


def check(name, thunk, want):
    global checks
    checks += 1
    try:
        got = thunk()
    except Exception as e:  # noqa: BLE001 - any exception is a failed check
        failures.append(name)
        print("FAIL %s: raised %s: %s" % (name, type(e).__name__, e))
        return
    if type(got) is type(want) and got == want:
        print("ok   %s" % name)
    else:
        failures.append(name)
        print("FAIL %s: got %r, want %r" % (name, got, want))


def main(port, cafile):
    context = ssl.create_default_context(cafile=cafile)
    for host in ("localhost", "127.0.0.1"):
        url = "https://%s:%s/RPC2" % (host, port)
        proxy = xc.ServerProxy(url, context=context, allow_none=True, use_builtin_types=True)
        check("calc.add over HTTPS to %s" % host, lambda: proxy.calc.add(1, 2), 3)
        check("calc.echo over HTTPS to %s" % host,
              lambda: proxy.calc.echo({"a": [b"\x00", None, "\u00fc"]}), {"a": [b"\x00", None, "\u00fc"]})
        check("a large (gzip) response over HTTPS to %s" % host,
              lambda: proxy.calc.echo("x" * 5000), "x" * 5000)
        try:
            proxy.calc.div(1.0, 0.0)
            check("a fault over HTTPS", lambda: "no fault", "fault")
        except xc.Fault as f:
            check("a fault over HTTPS to %s" % host, lambda: f.faultCode, 2)

    # Without the certificate as a CA, the handshake must fail.
    global checks
    checks += 1
    untrusting = ssl.create_default_context()
    proxy = xc.ServerProxy("https://localhost:%s/RPC2" % port, context=untrusting)
    try:
        proxy.calc.add(1, 2)
        failures.append("an untrusted certificate is refused")
        print("FAIL an untrusted certificate was accepted")
    except ssl.SSLCertVerificationError as e:
        print("ok   an untrusted certificate is refused (%s)" % e.verify_message)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: http_tls_client.py PORT CAFILE", file=sys.stderr)
        sys.exit(2)
    try:
        main(sys.argv[1], sys.argv[2])
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        failures.append("uncaught exception")
    if failures:
        print("VERDICT: FAILED %d of %d checks: %s" % (len(failures), checks, ", ".join(failures)))
        sys.exit(1)
    print("VERDICT: ok %d checks" % checks)
