<?php
// PHP's xmlrpc extension (xmlrpc-epi) calling a server with its default
// options, as a PHP program does: `xmlrpc_encode_request` with no options
// declares `iso-8859-1` and writes each byte of a non-ASCII character as a
// character reference; `xmlrpc_decode` turns the answer back into PHP's
// byte strings. Usage: php xmlrpc_client.php URL
// Prints one line per check and a final `VERDICT: ok` or `VERDICT: FAILED …`.

$url = $argv[1];
$failures = [];

function call($url, $method, $params) {
    $request = xmlrpc_encode_request($method, $params);
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => "Content-Type: text/xml\r\n",
        'content' => $request,
        'ignore_errors' => true,
    ]]);
    $response = file_get_contents($url, false, $context);
    if ($response === false) {
        return ['transport error', $request, null];
    }
    return [xmlrpc_decode($response), $request, $response];
}

function check($what, $got, $want, $request, &$failures) {
    if ($got === $want) {
        echo "ok $what: " . var_export($got, true) . "\n";
    } else {
        echo "FAILED $what: got " . var_export($got, true) . ", want " . var_export($want, true) . "\n";
        echo "  request: $request\n";
        $failures[] = $what;
    }
}

[$sum, $request] = call($url, 'calc.add', [2, 3]);
check('calc.add(2, 3)', $sum, 5, $request, $failures);
if (strpos($request, 'encoding="iso-8859-1"') === false) {
    echo "FAILED: the request does not declare iso-8859-1, so this is not the default: $request\n";
    $failures[] = 'declaration';
}

foreach (["caf\u{e9} na\u{ef}ve", "\u{e9}\u{ef} plain ASCII around them"] as $text) {
    [$echoed, $request] = call($url, 'calc.echo', [$text]);
    check('calc.echo(' . $text . ')', $echoed, $text, $request, $failures);
}

[$fault, $request] = call($url, 'calc.div', [1, 0]);
check('calc.div(1, 0) is a fault', is_array($fault) && xmlrpc_is_fault($fault), true, $request, $failures);

echo $failures ? "VERDICT: FAILED " . implode(', ', $failures) . "\n" : "VERDICT: ok\n";
exit($failures ? 1 : 0);
