"""Python's side of diglot's XML-RPC interoperability tests.

Standard library only (xmlrpc.client). Driven by tests/tests/python_interop.rs:

    python3 xmlrpc_interop.py check   < cases.json   -> verdicts.json
    python3 xmlrpc_interop.py write                  -> documents.json
    python3 xmlrpc_interop.py echo    < docs.json    -> docs.json

All JSON on stdout is ASCII (ensure_ascii), so the locale's encoding never
matters; the XML documents themselves travel inside JSON strings.
"""

import base64
import datetime
import json
import math
import sys
import xmlrpc.client


def from_tagged(t):
    """Builds the Python value an expected value (tagged JSON) stands for."""
    kind = t[0]
    if kind == "nil":
        return None
    if kind in ("bool", "int", "str"):
        return t[1]
    if kind == "double":
        return float(t[1])
    if kind == "datetime":
        return datetime.datetime(*t[1])
    if kind == "bytes":
        return bytes(t[1])
    if kind == "array":
        return [from_tagged(x) for x in t[1]]
    if kind == "struct":
        return {name: from_tagged(v) for name, v in t[1]}
    raise ValueError("unknown tag %r" % (kind,))


def same(got, want):
    """Strict equality: same types (True is not 1), the sign of zero, and
    the order of struct members."""
    if type(got) is not type(want):
        return False
    if isinstance(want, float):
        return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)
    if isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(same(a, b) for a, b in zip(got, want))
    if isinstance(want, dict):
        return list(got) == list(want) and all(same(got[k], want[k]) for k in want)
    return got == want


def check(cases):
    """Reads each document diglot wrote and compares it with what it should hold."""
    verdicts = []
    for case in cases:
        doc = case["doc"].encode("utf-8")
        verdict = {"name": case["name"], "ok": False, "detail": ""}
        try:
            params, method = xmlrpc.client.loads(doc, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            want = case.get("fault")
            verdict["ok"] = (
                want is not None
                and type(fault.faultCode) is int
                and fault.faultCode == want["code"]
                and fault.faultString == want["string"]
            )
            verdict["detail"] = "Fault(%r, %r)" % (fault.faultCode, fault.faultString)
        except Exception as e:  # noqa: BLE001 - any failure is a verdict
            verdict["detail"] = "loads raised %s: %s" % (type(e).__name__, e)
        else:
            if "fault" in case:
                verdict["detail"] = "no Fault raised; got %r" % (params,)
            else:
                want = [from_tagged(t) for t in case["params"]]
                ok = same(list(params), want) and method == case["method"]
                verdict["ok"] = ok
                if not ok:
                    verdict["detail"] = "got method %r params %r; wanted %r params %r" % (
                        method, params, case["method"], want)
        verdicts.append(verdict)
    return verdicts


def write():
    """Documents written by Python, for diglot to read."""
    responses = [
        ("nil", None),
        ("true", True),
        ("false", False),
        ("zero", 0),
        ("int_max", 2**31 - 1),
        ("int_min", -(2**31)),
        ("double_big", 1e300),
        ("double_neg_zero", -0.0),
        ("double_fraction", 0.1),
        ("double_tiny", 5e-324),
        ("double_neg", -2.5),
        ("double_integral", 3.0),
        ("str_empty", ""),
        ("str_unicode", "h\u00e9llo w\u00f6rld \u65e5\u672c\u8a9e"),
        ("str_emoji", "\U0001f980 \U0001f44d\U0001f3fd"),
        ("str_markup", "<&>'\"]]>"),
        ("str_cr", "\r"),
        ("str_crlf", "a\r\nb"),
        ("str_tab", "\tx\t"),
        ("str_spaces", "  lead and trail  "),
        ("str_newlines", "\n\n"),
        ("datetime", datetime.datetime(1998, 7, 17, 14, 8, 55)),
        ("datetime_min", datetime.datetime(1, 1, 1, 0, 0, 0)),
        ("datetime_year_7", datetime.datetime(7, 1, 2, 3, 4, 5)),
        ("datetime_max", datetime.datetime(9999, 12, 31, 23, 59, 59)),
        ("xmlrpc_datetime", xmlrpc.client.DateTime("20280719T13:43:20")),
        ("bytes_empty", b""),
        ("bytes_all", bytes(range(256))),
        ("bytes_long", bytes(range(256)) * 8),
        ("binary", xmlrpc.client.Binary(b"\x00\xffdiglot")),
        ("struct", {
            "zeta": 1,
            "alpha": [1, "two", 3.0, None, True],
            "mid": {"inner": {}, "list": [], "when": datetime.datetime(2028, 7, 19, 13, 43, 20)},
            "": "empty name",
            "<&> \u00fc": b"\x01",
        }),
        ("array", [[], [[1]], {"k": "v"}, b"x", [None, False]]),
    ]
    call_params = (
        None,
        True,
        2**31 - 1,
        -(2**31),
        1e300,
        -0.0,
        "a\r\nb <&> \U0001f980",
        datetime.datetime(1998, 7, 17, 14, 8, 55),
        b"\x00\xff",
        {"zeta": 1, "alpha": "a", "mid": [1.5]},
        [1, 2, 3],
        {"x": -1, "y": 2},
        xmlrpc.client.DateTime("00070102T03:04:05"),
        xmlrpc.client.Binary(b"diglot"),
    )
    faults = [
        (4, "Too many parameters"),
        (-32601, "method not found: <&> \u00fc \U0001f980\r\nsecond line"),
        (0, ""),
    ]
    return {
        "call": xmlrpc.client.dumps(call_params, methodname="interop.typed", allow_none=True),
        "empty_call": xmlrpc.client.dumps((), methodname="system.listMethods"),
        "responses": [
            [name, xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True)]
            for name, value in responses
        ],
        "faults": [
            [code, string, xmlrpc.client.dumps(xmlrpc.client.Fault(code, string), methodresponse=True)]
            for code, string in faults
        ],
    }


def echo(docs):
    """Reads each response and writes its value back, as a Python server would."""
    out = []
    for doc in docs:
        params, _ = xmlrpc.client.loads(doc.encode("utf-8"), use_builtin_types=True)
        out.append(xmlrpc.client.dumps(params, methodresponse=True, allow_none=True))
    return out


def main():
    mode = sys.argv[1]
    if mode == "check":
        result = check(json.loads(sys.stdin.buffer.read().decode("utf-8")))
    elif mode == "write":
        result = write()
    elif mode == "echo":
        result = echo(json.loads(sys.stdin.buffer.read().decode("utf-8")))
    else:
        raise SystemExit("unknown mode %r" % (mode,))
    sys.stdout.write(json.dumps(result, ensure_ascii=True))


if __name__ == "__main__":
    main()
