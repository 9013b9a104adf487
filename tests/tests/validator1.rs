//! The validator1 suite: the example (`examples/validator1.rs`, written with
//! `rename_all = "camelCase"` and `server`, so its result types need not
//! deserialize) runs as its own process and CPython's `xmlrpc.client` calls
//! all eight methods with random values (`tests/python/validator1.py`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use diglot_tests::process::{assert_verdict, example_binary, python};

#[test]
fn python_passes_the_validator1_suite() {
    let mut server = Command::new(example_binary("validator1"))
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the validator1 example starts");
    let mut line = String::new();
    BufReader::new(server.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("validator1 on ")
        .unwrap_or_else(|| panic!("the example names its URL: {line:?}"))
        .to_owned();
    let ran = python("validator1.py", &[&url], Duration::from_secs(60));
    let _ = server.kill();
    let _ = server.wait();
    assert_verdict(&ran, "python3 validator1.py");
}
