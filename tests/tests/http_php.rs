//! PHP's xmlrpc extension (xmlrpc-epi, Debian's `php-xmlrpc`) calling the
//! calculator over real HTTP with its default options.
//!
//! With no options, `xmlrpc_encode_request` declares `iso-8859-1` and writes
//! each byte of a non-ASCII character as a character reference; the answer
//! comes back through `xmlrpc_decode`. The client is
//! `php tests/php/xmlrpc_client.php URL`, a separate process: an ASCII call,
//! strings with `é` and `ï` echoed back unchanged, and a fault. It prints a
//! `VERDICT:` line that this test asserts.
//!
//! PHP missing is a failure, not a skip: the test command installs
//! `php-cli` and `php-xmlrpc`.

mod http_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use diglot::Dispatcher;
use diglot_examples::calc::{Calc, CalculatorService};
use http_support::{TestServer, assert_verdict, run};

const NO_PHP: &str = "php was not found on PATH. This test runs PHP's real xmlrpc \
     extension against diglot; install Debian's php-cli and php-xmlrpc \
     (the README's test command does).";

#[test]
fn php_xmlrpc_with_default_options_calls_the_calculator() {
    let modules = run(
        {
            let mut php = Command::new("php");
            php.arg("-m");
            php
        },
        Duration::from_secs(30),
        NO_PHP,
    );
    assert!(
        modules.stdout.lines().any(|m| m.trim() == "xmlrpc"),
        "PHP is installed without its xmlrpc extension (php -m lists no `xmlrpc`); \
         install Debian's php-xmlrpc (the README's test command does).\n{}",
        modules.stdout
    );

    let server = TestServer::http(Dispatcher::new(CalculatorService::new(Calc)).unwrap(), None);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("php/xmlrpc_client.php");
    let mut php = Command::new("php");
    php.arg(script).arg(server.url());
    let ran = run(php, Duration::from_secs(60), NO_PHP);
    assert_verdict(&ran, "php xmlrpc_client.php");
    server.stop().expect("the server stops cleanly");
}
