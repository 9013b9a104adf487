<?php
// Calls the calculator with PHP's xmlrpc extension (PECL xmlrpc; Debian's
// php-xmlrpc) and PHP's own HTTP streams.
//
//   php call.php [URL]    (default http://127.0.0.1:8080/RPC2)

// ANCHOR: client
$url = $argv[1] ?? 'http://127.0.0.1:8080/RPC2';

function call(string $url, string $method, array $params) {
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => "Content-Type: text/xml\r\n",
        'content' => xmlrpc_encode_request($method, $params),
    ]]);
    return xmlrpc_decode(file_get_contents($url, false, $context));
}

echo 'calc.add(2, 3) = ', call($url, 'calc.add', [2, 3]), "\n";
echo 'calc.sumAll([1.5, 2.5, 3]) = ', call($url, 'calc.sumAll', [[1.5, 2.5, 3]]), "\n";
echo "calc.echo(['x' => 3, 'y' => 4]) = ",
    json_encode(call($url, 'calc.echo', [['x' => 3, 'y' => 4]])), "\n";
$fault = call($url, 'calc.div', [1, 0]);
if (is_array($fault) && xmlrpc_is_fault($fault)) {
    echo "calc.div(1, 0) is a fault: {$fault['faultCode']}, {$fault['faultString']}\n";
}
// ANCHOR_END: client
