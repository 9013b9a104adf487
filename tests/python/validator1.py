"""The XML-RPC validator suite (validator1) from CPython's xmlrpc.client.

Standard library only. Driven by tests/tests/validator1.rs, which runs the
validator1 example (served with `rename_all = "camelCase"` and no client)
and then:

    python3 validator1.py URL

Each method is called with random values, as the original validator did,
and its answer checked. The last line is `VERDICT: ok N checks` or
`VERDICT: FAILED ...`; the exit status is 0 only for ok.
"""

import random
import sys
import traceback
import xmlrpc.client as xc

server = xc.ServerProxy(sys.argv[1]).validator1
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
    if got == want:
        print("ok   %s" % name)
    else:
        failures.append(name)
        print("FAIL %s: got %r, want %r" % (name, got, want))


def stooges():
    return {k: random.randint(-1000, 1000) for k in ("moe", "larry", "curly")}


for _ in range(3):
    many = [stooges() for _ in range(random.randint(1, 20))]
    check("arrayOfStructsTest", lambda: server.arrayOfStructsTest(many),
          sum(s["curly"] for s in many))

    text = "".join(random.choice("<>&'\"abc") for _ in range(50))
    check("countTheEntities", lambda: server.countTheEntities(text), {
        "ctLeftAngleBrackets": text.count("<"),
        "ctRightAngleBrackets": text.count(">"),
        "ctAmpersands": text.count("&"),
        "ctApostrophes": text.count("'"),
        "ctQuotes": text.count('"'),
    })

    one = stooges()
    check("easyStructTest", lambda: server.easyStructTest(one), sum(one.values()))

    echoed = {"a": random.randint(0, 9), "b": ["x", 1.5, True], "c": {"d": "e"}}
    check("echoStructTest", lambda: server.echoStructTest(echoed), echoed)

    when = xc.DateTime("20261204T10:%02d:00" % random.randint(0, 59))
    data = xc.Binary(bytes(random.randrange(256) for _ in range(16)))
    values = [random.randint(-99, 99), True, "text", 2.5, when, data]
    check("manyTypesTest", lambda: server.manyTypesTest(*values), values)

    words = ["w%d" % random.randint(0, 999) for _ in range(random.randint(100, 200))]
    check("moderateSizeArrayCheck", lambda: server.moderateSizeArrayCheck(words),
          words[0] + words[-1])

    day = stooges()
    calendar = {"1999": {"12": {"31": stooges()}},
                "2000": {"04": {"01": day, "02": stooges()}}}
    check("nestedStructTest", lambda: server.nestedStructTest(calendar), sum(day.values()))

    n = random.randint(-1000, 1000)
    check("simpleStructReturnTest", lambda: server.simpleStructReturnTest(n),
          {"times10": n * 10, "times100": n * 100, "times1000": n * 1000})

if failures:
    print("VERDICT: FAILED %d of %d: %s" % (len(failures), checks, ", ".join(failures)))
    sys.exit(1)
print("VERDICT: ok %d checks" % checks)
