#!/usr/bin/env python3
"""Drives the calculator example as a child process over its stdin/stdout,
as a language-server client does.

usage: stream_stdio.py PATH/TO/calculator

Starts `calculator --stdio`, writes `Content-Length: N\\r\\n\\r\\n` + a JSON
body for each request and reads the header and body of each answer: calls
with results and faults, an unknown method, a notification (no answer),
three requests in one write (answers matched by id), an LSP-style
`Content-Type` header, and an XML-RPC call in the same framing. Then it
closes stdin and checks that the child exits with status 0.

A watchdog kills the child after 20 s, so a stuck read cannot hang. Prints
one line per check and a final `VERDICT: ok` or `VERDICT: FAIL (n)`.
"""

import json
import os
import subprocess
import sys
import threading
import xmlrpc.client

FAILURES = []


def check(condition, what, detail=""):
    if condition:
        print(f"ok   {what}")
    else:
        FAILURES.append(what)
        print(f"FAIL {what} {detail}")


def send(child, body, headers=()):
    head = f"Content-Length: {len(body)}\r\n"
    for header in headers:
        head += header + "\r\n"
    child.stdin.write(head.encode("ascii") + b"\r\n" + body)
    child.stdin.flush()


def read_answer(child):
    length = None
    while True:
        line = child.stdout.readline()
        if not line:
            raise EOFError("the child closed its stdout")
        line = line.rstrip(b"\r\n")
        if not line:
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length is None:
        raise ValueError("an answer without Content-Length")
    body = child.stdout.read(length)
    if len(body) != length:
        raise EOFError("the child closed its stdout mid-body")
    return body


def request(method, params, id=None):
    value = {"jsonrpc": "2.0", "method": method, "params": params}
    if id is not None:
        value["id"] = id
    return json.dumps(value).encode("utf-8")


def call(child, method, params, id):
    send(child, request(method, params, id))
    return json.loads(read_answer(child))


def main():
    binary = sys.argv[1]
    env = dict(os.environ, RUST_LOG="warn")
    child = subprocess.Popen(
        [binary, "--stdio"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        env=env,
    )
    watchdog = threading.Timer(20, child.kill)
    watchdog.start()
    try:
        answer = call(child, "calc.add", [2, 3], 1)
        check(answer == {"jsonrpc": "2.0", "result": 5, "id": 1}, "calc.add", repr(answer))
        answer = call(child, "calc.div", [1, 4], 2)
        check(answer.get("result") == 0.25, "calc.div", repr(answer))
        answer = call(child, "calc.div", [1, 0], 3)
        check(
            answer.get("error", {}).get("code") == 2 and answer.get("id") == 3,
            "a fault: division by zero",
            repr(answer),
        )
        answer = call(child, "calc.pow", [2, 3], 4)
        check(answer.get("error", {}).get("code") == -32601, "an unknown method: -32601", repr(answer))

        # A notification gets no answer: the next answer is the next call's.
        send(child, request("calc.add", [1, 1]))
        answer = call(child, "calc.sumAll", [[1, 2, 3.5]], 5)
        check(answer.get("id") == 5 and answer.get("result") == 6.5, "a notification is not answered", repr(answer))

        # Three requests in one write; answers matched by id.
        batch = b""
        for i in (10, 11, 12):
            body = request("calc.add", [i, 100], i)
            batch += b"Content-Length: %d\r\n\r\n" % len(body) + body
        child.stdin.write(batch)
        child.stdin.flush()
        answers = {}
        for _ in range(3):
            answer = json.loads(read_answer(child))
            answers[answer["id"]] = answer["result"]
        check(answers == {10: 110, 11: 111, 12: 112}, "three requests in one write", repr(answers))

        # The header a language-server client sends.
        send(
            child,
            request("calc.echo", [{"text": "héllo ✓", "list": [1, None]}], 13),
            ["Content-Type: application/vscode-jsonrpc; charset=utf-8"],
        )
        answer = json.loads(read_answer(child))
        check(
            answer.get("result") == {"text": "héllo ✓", "list": [1, None]},
            "an LSP-style Content-Type header",
            repr(answer),
        )

        # XML-RPC in the same framing.
        send(child, xmlrpc.client.dumps((40, 2), "calc.add").encode("utf-8"), ["Content-Type: text/xml"])
        (result,), _ = xmlrpc.client.loads(read_answer(child))
        check(result == 42, "XML-RPC over stdio", repr(result))

        # Closing stdin ends the server; it exits cleanly.
        child.stdin.close()
        rest = child.stdout.read()
        check(rest == b"", "nothing more on stdout after stdin closes", repr(rest))
        status = child.wait(timeout=10)
        check(status == 0, "the child exits 0 once stdin is closed", f"exit status {status}")
    finally:
        watchdog.cancel()
        if child.poll() is None:
            child.kill()
            child.wait()
    if FAILURES:
        print(f"VERDICT: FAIL ({len(FAILURES)}): {', '.join(FAILURES)}")
        sys.exit(1)
    print("VERDICT: ok")


if __name__ == "__main__":
    main()
