"""Line ends as Python's own XML-RPC server reads them, against diglot.

Python's `xmlrpc.client` writes a carriage return inside a string raw. XML 1.0
(section 2.11) reads every CRLF and every lone CR as LF, and Python's own
`xmlrpc.server` does. This script starts that server on 127.0.0.1 (port 0)
with an `echo` method, sends the same strings to it and to diglot (the URL
given, whose `echo` method name is the second argument), and requires the
same answers from both.

Usage: python3 line_ends.py URL METHOD
Prints one line per string and a final `VERDICT: ok` or `VERDICT: FAILED …`.
"""

import sys
import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

STRINGS = ["a\r\nb", "\r", "x\ry", "\r\n\r\n", "a\n\rb", "plain\n"]


class Quiet(SimpleXMLRPCRequestHandler):
    def log_message(self, *args):
        pass


def main():
    url, method = sys.argv[1], sys.argv[2]
    reference = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=Quiet, allow_none=True)
    reference.register_function(lambda value: value, method)
    threading.Thread(target=reference.serve_forever, daemon=True).start()
    python_url = "http://127.0.0.1:%d/RPC2" % reference.server_address[1]

    failures = []
    for text in STRINGS:
        from_python = getattr(xmlrpc.client.ServerProxy(python_url), method)(text)
        from_diglot = getattr(xmlrpc.client.ServerProxy(url), method)(text)
        same = from_python == from_diglot
        print("%s sent %r: Python's server %r, diglot %r" % (
            "ok" if same else "FAILED", text, from_python, from_diglot))
        if not same:
            failures.append(repr(text))
    # A CR sent as a character reference is a CR, for both servers; diglot
    # writes it back as `&#13;`, so it survives the way back too (Python's
    # server writes it raw, so its client reads a line end).
    escaped = "<?xml version='1.0'?><methodCall><methodName>%s</methodName><params>" \
              "<param><value><string>a&#13;&#x0d;b</string></value></param>" \
              "</params></methodCall>" % method
    answers = []
    for target in (python_url, url):
        transport = xmlrpc.client.Transport()
        conn = transport.make_connection(target.split("/")[2])
        conn.request("POST", "/RPC2", escaped.encode(), {"Content-Type": "text/xml"})
        answers.append(xmlrpc.client.loads(conn.getresponse().read())[0][0])
    survives = answers[1] == "a\r\rb"
    print("%s sent a&#13;&#x0d;b: diglot %r (Python's server %r)" % (
        "ok" if survives else "FAILED", answers[1], answers[0]))
    if not survives:
        failures.append("references")
    reference.shutdown()
    print("VERDICT: " + ("ok" if not failures else "FAILED " + ", ".join(failures)))
    sys.exit(1 if failures else 0)


main()
