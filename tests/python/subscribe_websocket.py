#!/usr/bin/env python3
"""Python's `websockets` package subscribing to the calculator's `calc.ticks`.

usage: subscribe_websocket.py ws://HOST:PORT/PATH [--count N]

Over one WebSocket connection (the `websockets` package from PyPI, its
synchronous client):
  * subscribes to N ticks 5 ms apart: the answer (the subscription id)
    first, then N notifications carrying 1..N in order under that id, then
    the end notice `"end": "completed"`;
  * an ordinary JSON-RPC call and an XML-RPC call as text messages, each
    answered in its protocol;
  * subscribes to a long-running one, reads 3 ticks, unsubscribes: the
    answer is `true`, and no tick of it comes after the answer; again:
    `false`;
  * closes with a close frame and sees the server's.

Prints one line per check and a final `VERDICT: ok` or `VERDICT: FAIL (n)`.
"""

import json
import sys
import xmlrpc.client

from websockets.sync.client import connect

FAILURES = []


def check(condition, what, detail=""):
    if condition:
        print(f"ok   {what}")
    else:
        FAILURES.append(what)
        print(f"FAIL {what} {detail}")


def ticks_of(message, sid):
    params = message.get("params", {})
    return message.get("method") == "calc.ticks" and params.get("subscription") == sid


def main(args):
    url = args[0]
    count = int(args[args.index("--count") + 1]) if "--count" in args else 10
    with connect(url, open_timeout=5, close_timeout=5) as ws:
        def send(value):
            ws.send(json.dumps(value))

        def recv():
            return json.loads(ws.recv(timeout=5))

        send({"jsonrpc": "2.0", "id": 1, "method": "calc.ticks", "params": [count, 5]})
        answer = recv()
        sid = answer.get("result")
        check(isinstance(sid, int) and answer.get("id") == 1, "the answer comes first, with an id", answer)
        items = [recv() for _ in range(count)]
        check(all(ticks_of(m, sid) for m in items), f"{count} notifications under that id")
        check([m["params"].get("result") for m in items] == list(range(1, count + 1)),
              f"carrying 1..{count} in order", items[:3])
        end = recv()
        check(ticks_of(end, sid) and end["params"].get("end") == "completed", "then the end notice", end)

        send({"jsonrpc": "2.0", "id": 2, "method": "calc.add", "params": [2, 3]})
        check(recv() == {"jsonrpc": "2.0", "result": 5, "id": 2}, "a JSON-RPC call as a message")
        ws.send(xmlrpc.client.dumps((7, 8), "calc.add"))
        reply = ws.recv(timeout=5)
        check(xmlrpc.client.loads(reply)[0] == (15,), "an XML-RPC call as a message", reply)

        send({"jsonrpc": "2.0", "id": 3, "method": "calc.ticks", "params": [1000000, 5]})
        long_id = recv().get("result")
        first = [recv() for _ in range(3)]
        check([m["params"].get("result") for m in first] == [1, 2, 3], "a second one's first ticks", first)
        send({"jsonrpc": "2.0", "id": 4, "method": "calc.unticks", "params": [long_id]})
        while True:
            message = recv()
            if "id" in message:
                break
            check(ticks_of(message, long_id), "only its ticks before the answer", message)
        check(message == {"jsonrpc": "2.0", "result": True, "id": 4}, "unsubscribed: true", message)
        send({"jsonrpc": "2.0", "id": 5, "method": "calc.unticks", "params": [long_id]})
        check(recv() == {"jsonrpc": "2.0", "result": False, "id": 5},
              "again: false (and no tick came after the answer)")
    check(ws.close_code == 1000, "closed with a close frame both ways", ws.close_code)

    print(f"VERDICT: {'ok' if not FAILURES else f'FAIL ({len(FAILURES)})'}")
    return 0 if not FAILURES else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
