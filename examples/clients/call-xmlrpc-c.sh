#!/bin/sh
# Calls the calculator with xmlrpc-c's `xmlrpc` command (Debian's
# libxmlrpc-core-c3-dev). Its parameters are scalars, each typed by a
# prefix: i/ integer, d/ double, s/ string, b/ boolean, n/ nil.
#
#   sh call-xmlrpc-c.sh [URL]    (default http://127.0.0.1:8080/RPC2)
set -u
url=${1:-http://127.0.0.1:8080/RPC2}
command -v xmlrpc >/dev/null || { echo "xmlrpc: not found; install xmlrpc-c (Debian: libxmlrpc-core-c3-dev)" >&2; exit 127; }

# ANCHOR: client
call() {
    echo "== $*"
    # A fault goes to stderr, and the exit status is 1.
    xmlrpc "$url" "$@" 2>&1 || echo "(exit status $?)"
}
call calc.add i/2 i/3
call calc.div d/1 d/4
call calc.echo s/hello
call system.methodSignature s/calc.add
call calc.div i/1 i/0
# ANCHOR_END: client
