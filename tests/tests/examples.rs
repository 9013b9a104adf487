//! The examples as a user runs them: each started as its own process and
//! called by real clients.
//!
//! * `hello`: the README's hello world (the README shows the file as it
//!   is), called by curl (JSON-RPC) and
//!   Python's `xmlrpc.client` (XML-RPC), then stopped with SIGTERM: it
//!   exits cleanly.
//! * `jsonrpc_spec`: the JSON-RPC 2.0 specification's examples, sent by
//!   curl, answered as the specification says.
//! * `from_python`: a SimpleXMLRPCServer service and its diglot port give
//!   one Python client the same answers.
//! * `from_jsonrpsee`: a jsonrpsee service and its diglot port give curl
//!   the same answers.
//! * `from_dxr`: a dxr service and its diglot port give curl the same
//!   XML-RPC answers, and the fault codes each documents where they differ.
//! * `http_basic_auth`: the calculator in an axum application behind basic
//!   authentication; Python with the credentials is answered, without
//!   them (or with a wrong password) refused with 401.
//! * `stdio_child` and `shm_client`: clients of the calculator, over a
//!   child's stdio and over shared memory.
//! * `tls`: the calculator over HTTPS with the self-signed certificate it
//!   makes, called by curl, Python and the typed client, each trusting
//!   that certificate and nothing else; and with a certificate it is given.
//! * `custom_errors`: a service's own error enum as faults: the codes,
//!   messages and JSON-RPC `data` curl and Python see, and the typed
//!   client (the example's `--call` mode) mapping them back to the enum.

#![cfg(unix)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diglot_tests::process::{NO_PYTHON, example_binary, run};

/// A child process, killed if the test ends before it does.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Sends SIGTERM and waits (at most 10 s) for a clean exit.
    fn terminate(mut self) {
        let pid = self.0.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        let started = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait().expect("waits on the child") {
                assert!(status.success(), "exit after SIGTERM: {status}");
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "still running 10 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Starts an example on port 0 and reads the URL it prints first.
fn start(example: &str) -> (Running, String) {
    start_with(example, &[])
}

/// [`start`] with arguments before the address.
fn start_with(example: &str, args: &[&str]) -> (Running, String) {
    let mut child = Command::new(example_binary(example))
        .args(args)
        .arg("127.0.0.1:0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the example starts");
    let stdout = child.stdout.take().expect("piped");
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the example prints where it serves");
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://") || word.starts_with("https://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (running, url)
}

#[test]
fn hello_world_answers_curl_and_python_and_stops_on_sigterm() {
    let (server, url) = start("hello");

    let mut curl = Command::new("curl");
    curl.args(["-s", "--max-time", "10", &url])
        .args(["-H", "Content-Type: application/json"])
        .args([
            "-d",
            r#"{"jsonrpc":"2.0","method":"hello.greet","params":["world"],"id":1}"#,
        ]);
    let ran = run(curl, None, Duration::from_secs(20), "curl is missing");
    assert_eq!(
        ran.stdout, r#"{"jsonrpc":"2.0","result":"Hello, world!","id":1}"#,
        "{ran:?}"
    );

    let script =
        format!("import xmlrpc.client as x; print(x.ServerProxy({url:?}).hello.greet('Python'))");
    let mut python = Command::new("python3");
    python.args(["-c", &script]);
    let ran = run(python, None, Duration::from_secs(20), NO_PYTHON);
    assert_eq!(ran.stdout.trim(), "Hello, Python!", "{ran:?}");

    server.terminate();
}

/// The README shows `examples/hello.rs` as it is.
#[test]
fn the_readme_shows_the_hello_example_as_it_is() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let example = std::fs::read_to_string(root.join("examples/hello.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let shown: String = example
        .lines()
        .skip_while(|l| !l.contains("ANCHOR: hello"))
        .skip(1)
        .take_while(|l| !l.contains("ANCHOR_END: hello"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(shown.lines().count() > 20, "the anchors are in place");
    assert!(
        readme.contains(&format!("```rust\n{shown}```")),
        "README.md must show examples/hello.rs between its anchors, unchanged"
    );
}

/// What curl prints for `body` posted as JSON-RPC.
fn curl_json(url: &str, body: &str) -> String {
    let mut curl = Command::new("curl");
    curl.args(["-s", "--max-time", "10", url]).args([
        "-H",
        "Content-Type: application/json",
        "-d",
        body,
    ]);
    run(curl, None, Duration::from_secs(20), "curl is missing").stdout
}

/// An answer with error messages left out (the specification's wording is
/// not diglot's) and a batch's entries sorted (they may come in any order).
fn comparable(answer: &serde_json::Value) -> serde_json::Value {
    match answer {
        serde_json::Value::Array(entries) => {
            let mut entries: Vec<_> = entries.iter().map(comparable).collect();
            entries.sort_by_key(|e| e.to_string());
            serde_json::Value::Array(entries)
        }
        serde_json::Value::Object(fields) => {
            let mut fields = fields.clone();
            if let Some(error) = fields.get_mut("error").and_then(|e| e.as_object_mut()) {
                error.remove("message");
            }
            serde_json::Value::Object(fields)
        }
        other => other.clone(),
    }
}

#[test]
fn the_specifications_examples_answer_curl_as_the_specification_says() {
    let (server, url) = start("jsonrpc_spec");
    // Section 7 of the specification, request and response; `None` where
    // nothing comes back.
    let examples: &[(&str, Option<&str>)] = &[
        (
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#,
            Some(r#"{"jsonrpc": "2.0", "result": 19, "id": 1}"#),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#,
            Some(r#"{"jsonrpc": "2.0", "result": -19, "id": 2}"#),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#,
            Some(r#"{"jsonrpc": "2.0", "result": 19, "id": 3}"#),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#,
            Some(r#"{"jsonrpc": "2.0", "result": 19, "id": 4}"#),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#,
            None,
        ),
        (r#"{"jsonrpc": "2.0", "method": "foobar"}"#, None),
        (
            r#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#,
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}"#,
            ),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#,
            ),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#,
            ),
        ),
        (
            r#"[
                {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
                {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
                {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
                {"foo": "boo"},
                {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
                {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
            ]"#,
            Some(
                r#"[
                {"jsonrpc": "2.0", "result": 7, "id": "1"},
                {"jsonrpc": "2.0", "result": 19, "id": "2"},
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
                {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
            ]"#,
            ),
        ),
        (
            r#"[
                {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
                {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
            ]"#,
            None,
        ),
        // Beyond the specification: `sum` by name takes its terms as one
        // array, and a name it does not have is -32602.
        (
            r#"{"jsonrpc": "2.0", "method": "sum", "params": {"terms": [1, 2, 4, 8]}, "id": 5}"#,
            Some(r#"{"jsonrpc": "2.0", "result": 15, "id": 5}"#),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "sum", "params": {"n1": 5}, "id": 6}"#,
            Some(r#"{"jsonrpc": "2.0", "error": {"code": -32602}, "id": 6}"#),
        ),
    ];
    for (request, expected) in examples {
        let answer = curl_json(&url, request);
        match expected {
            None => assert_eq!(answer, "", "nothing comes back for {request}"),
            Some(expected) => {
                let answer: serde_json::Value = serde_json::from_str(&answer)
                    .unwrap_or_else(|e| panic!("{request} got {answer:?}: {e}"));
                let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
                assert_eq!(
                    comparable(&answer),
                    comparable(&expected),
                    "the answer to {request}"
                );
            }
        }
    }
    // Seventeen terms: more than a method's sixteen parameters.
    let terms: Vec<i64> = (1..=17).collect();
    let request = serde_json::json!({"jsonrpc": "2.0", "method": "sum", "params": terms, "id": 7});
    assert_eq!(
        curl_json(&url, &request.to_string()),
        r#"{"jsonrpc":"2.0","result":153,"id":7}"#
    );
    server.terminate();
}

#[test]
fn a_python_client_gets_the_same_answers_from_simplexmlrpcserver_and_diglot() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/from_python");
    let (rust, rust_url) = start("from_python");
    let mut python = Command::new("python3")
        .arg(root.join("server.py"))
        .arg("0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs server.py");
    let stdout = python.stdout.take().expect("piped");
    let python = Running(python);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let python_url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();

    let answers = |url: &str| {
        let mut client = Command::new("python3");
        client.arg(root.join("client.py")).arg(url);
        let ran = run(client, None, Duration::from_secs(30), NO_PYTHON);
        assert!(ran.stdout.contains("fault: 1"), "{ran:?}");
        ran.stdout
    };
    let from_python = answers(&python_url);
    let from_diglot = answers(&rust_url);
    assert_eq!(from_diglot, from_python);
    assert!(from_diglot.contains("total: 3.5\n"), "{from_diglot}");
    assert!(
        from_diglot.contains("multicall: [0.5, ['apple', 'pear']]"),
        "{from_diglot}"
    );
    drop(python);
    rust.terminate();
}

#[test]
fn curl_gets_the_same_answers_from_jsonrpsee_and_diglot() {
    let (diglot, diglot_url) = start_with("from_jsonrpsee", &["diglot"]);
    let (jsonrpsee, jsonrpsee_url) = start_with("from_jsonrpsee", &["jsonrpsee"]);
    // Error texts differ (and jsonrpsee puts serde's in `data`): codes,
    // ids and results are compared.
    let answer = |url: &str, request: &str| -> serde_json::Value {
        let answer: serde_json::Value = serde_json::from_str(&curl_json(url, request))
            .unwrap_or_else(|e| panic!("{request} at {url}: {e}"));
        codes_only(answer)
    };
    let requests = [
        r#"{"jsonrpc":"2.0","method":"shop.price","params":["pear"],"id":1}"#,
        r#"{"jsonrpc":"2.0","method":"shop.total","params":[{"apple":4,"pear":2}],"id":2}"#,
        r#"{"jsonrpc":"2.0","method":"shop.price","params":["plum"],"id":3}"#,
        r#"{"jsonrpc":"2.0","method":"shop.items","id":"x"}"#,
        r#"{"jsonrpc":"2.0","method":"shop.nope","id":4}"#,
        r#"{"jsonrpc":"2.0","method":"shop.price","params":[7],"id":5}"#,
        r#"[{"jsonrpc":"2.0","method":"shop.price","params":["apple"],"id":6},{"jsonrpc":"2.0","method":"shop.items","id":7}]"#,
    ];
    for request in requests {
        let from_diglot = answer(&diglot_url, request);
        assert_eq!(from_diglot, answer(&jsonrpsee_url, request), "{request}");
        assert!(from_diglot.to_string().contains("\"id\""), "{from_diglot}");
    }
    assert_eq!(answer(&diglot_url, requests[1])["result"], 3.5);
    assert_eq!(answer(&diglot_url, requests[2])["error"]["code"], 1);
    // By name: diglot reads the parameters' names; jsonrpsee's tuple
    // parsing does not.
    let by_name = r#"{"jsonrpc":"2.0","method":"shop.price","params":{"item":"pear"},"id":8}"#;
    assert_eq!(answer(&diglot_url, by_name)["result"], 0.75);
    assert_eq!(answer(&jsonrpsee_url, by_name)["error"]["code"], -32602);
    diglot.terminate();
    jsonrpsee.terminate();
}

/// An answer with each error reduced to its code.
fn codes_only(answer: serde_json::Value) -> serde_json::Value {
    match answer {
        serde_json::Value::Array(entries) => entries.into_iter().map(codes_only).collect(),
        serde_json::Value::Object(mut fields) => {
            if let Some(error) = fields.get_mut("error").and_then(|e| e.as_object_mut()) {
                error.retain(|key, _| key == "code");
            }
            serde_json::Value::Object(fields)
        }
        other => other,
    }
}

#[test]
fn the_stdio_child_example_calls_the_calculator_it_starts() {
    let ran = run(
        Command::new(example_binary("stdio_child")),
        None,
        Duration::from_secs(30),
        "the example is built",
    );
    assert_eq!(
        ran.stdout, "2 + 3 = 5\n1 / 4 = 0.25\n1 / 0: fault 2: division by zero\n",
        "{ran:?}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn the_shm_client_example_calls_the_calculator_over_shared_memory() {
    let dir = diglot_tests::tempdir::TempDir::new();
    let path = dir.join("calc.shm");
    let mut child = Command::new(example_binary("calculator"))
        .arg("--shm")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the calculator starts");
    let stdout = child.stdout.take().expect("piped");
    let calculator = Running(child);
    let mut stdout = BufReader::new(stdout);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("shared memory"), "{line:?}");
    // The rest of what it prints is read too, not left to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));

    let mut client = Command::new(example_binary("shm_client"));
    client.arg(&path);
    let ran = run(
        client,
        None,
        Duration::from_secs(30),
        "the example is built",
    );
    assert!(
        ran.stdout.starts_with("2 + 3 = 5\n10000 calls in "),
        "{ran:?}"
    );
    calculator.terminate();
}

#[test]
fn curl_gets_the_same_xml_rpc_answers_from_dxr_and_diglot() {
    use diglot::{Struct, Value};

    let (diglot, diglot_url) = start_with("from_dxr", &["diglot"]);
    let (dxr, dxr_url) = start_with("from_dxr", &["dxr"]);
    let string = |s: &str| format!("<string>{s}</string>");
    let entry = |method: &str, param: &str| {
        format!(
            "<struct><member><name>methodName</name><value>{method}</value></member>\
             <member><name>params</name><value><array><data><value>{param}</value></data></array></value></member></struct>"
        )
    };
    let basket = "<struct><member><name>apple</name><value><i4>4</i4></value></member>\
                  <member><name>pear</name><value><i4>2</i4></value></member></struct>";
    let multicall = format!(
        "<array><data><value>{}</value><value>{}</value></data></array>",
        entry("shop.price", "apple"),
        entry("shop.price", "plum"),
    );

    // Where both agree: results, the shop's own fault code, and
    // system.multicall (fault strings left out: their texts differ).
    let same = [
        xml_call("shop.price", &[&string("pear")]),
        xml_call("shop.total", &[basket]),
        xml_call("shop.quote", &[&string("pear"), "<int>3</int>"]),
        xml_call("shop.price", &[&string("plum")]),
        xml_call("shop.items", &[]),
        xml_call("system.multicall", &[&multicall]),
    ];
    let answer = |url: &str, request: &str| xml_answer(&curl_xml(url, request));
    for request in &same {
        let from_diglot = answer(&diglot_url, request);
        assert_eq!(from_diglot, answer(&dxr_url, request), "{request}");
    }
    assert_eq!(answer(&diglot_url, &same[1]), Ok(Value::F64(3.5)));
    let quote = Struct::from_iter([
        ("item", Value::from("pear")),
        ("count", Value::I32(3)),
        ("cost", Value::F64(2.25)),
    ]);
    assert_eq!(answer(&diglot_url, &same[2]), Ok(Value::Struct(quote)));
    assert_eq!(answer(&diglot_url, &same[3]), Err(1));
    let fault_1 = Value::Struct(Struct::from_iter([("faultCode", Value::I32(1))]));
    let entries = Value::Array(vec![Value::Array(vec![Value::F64(0.5)]), fault_1]);
    assert_eq!(answer(&diglot_url, &same[5]), Ok(entries));

    // Where they differ: dxr answers an unknown method with 404 and any
    // parameter it cannot convert with 400; diglot uses the codes the
    // XML-RPC interoperability list and JSON-RPC share.
    let unknown = xml_call("shop.nope", &[]);
    assert_eq!(answer(&diglot_url, &unknown), Err(-32601));
    assert_eq!(answer(&dxr_url, &unknown), Err(404));
    let mistyped = xml_call("shop.price", &["<i4>7</i4>"]);
    assert_eq!(answer(&diglot_url, &mistyped), Err(-32602));
    assert_eq!(answer(&dxr_url, &mistyped), Err(400));
    // The same codes inside a multicall's answer.
    let nope = format!(
        "<array><data><value>{}</value></data></array>",
        entry("shop.nope", "x")
    );
    let code_inside = |url: &str| {
        let answer = answer(url, &xml_call("system.multicall", &[&nope]));
        let entries = answer.expect("a multicall answer");
        entries.as_array().expect("an array")[0]
            .get("faultCode")
            .cloned()
    };
    assert_eq!(code_inside(&diglot_url), Some(Value::I32(-32601)));
    assert_eq!(code_inside(&dxr_url), Some(Value::I32(404)));
    // Introspection is diglot's alone.
    let list = xml_call("system.listMethods", &[]);
    let listed = answer(&diglot_url, &list).expect("diglot lists its methods");
    assert!(
        format!("{listed:?}").contains("\"shop.quote\""),
        "{listed:?}"
    );
    assert_eq!(answer(&dxr_url, &list), Err(404));
    // And JSON-RPC on the same endpoint: dxr reads the body as XML.
    let json = r#"{"jsonrpc":"2.0","method":"shop.price","params":["pear"],"id":1}"#;
    assert_eq!(
        curl_json(&diglot_url, json),
        r#"{"jsonrpc":"2.0","result":0.75,"id":1}"#
    );
    assert_eq!(xml_answer(&curl_json(&dxr_url, json)), Err(400));
    diglot.terminate();
    dxr.terminate();
}

/// A `methodCall` document; each parameter is the inside of a `<value>`.
fn xml_call(method: &str, params: &[&str]) -> String {
    let params: String = params
        .iter()
        .map(|p| format!("<param><value>{p}</value></param>"))
        .collect();
    format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>{method}</methodName>\
         <params>{params}</params></methodCall>"
    )
}

/// What curl prints for `body` posted as XML-RPC.
fn curl_xml(url: &str, body: &str) -> String {
    let mut curl = Command::new("curl");
    curl.args(["-s", "--max-time", "10", url])
        .args(["-H", "Content-Type: text/xml", "-d", body]);
    run(curl, None, Duration::from_secs(20), "curl is missing").stdout
}

/// A `methodResponse` read with diglot's decoder: the result, or the
/// fault's code. Fault strings are left out, inside multicall answers too;
/// structs compare by members whatever their order.
fn xml_answer(body: &str) -> Result<diglot::Value, i32> {
    fn without_fault_strings(value: diglot::Value) -> diglot::Value {
        use diglot::Value;
        match value {
            Value::Array(items) => {
                Value::Array(items.into_iter().map(without_fault_strings).collect())
            }
            Value::Struct(members) => Value::Struct(
                members
                    .into_iter()
                    .filter(|(name, _)| name != "faultString")
                    .map(|(name, value)| (name, without_fault_strings(value)))
                    .collect(),
            ),
            other => other,
        }
    }
    let limits = diglot::Limits::default();
    match diglot::xml::decode_response::<diglot::Value>(body.as_bytes(), &limits) {
        Ok(Ok(value)) => Ok(without_fault_strings(value)),
        Ok(Err(fault)) => Err(fault.code),
        Err(error) => panic!("not an XML-RPC answer ({error:?}): {body:?}"),
    }
}

#[test]
fn the_tls_example_answers_clients_that_verify_its_certificate() {
    // The example writes its certificate to the temporary directory: this
    // test's own.
    let tmp = diglot_tests::tempdir::TempDir::new();
    let mut child = Command::new(example_binary("tls"))
        .arg("127.0.0.1:0")
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the example starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let server = Running(child);
    let mut lines = [String::new(), String::new()];
    for line in &mut lines {
        stdout.read_line(line).expect("the example prints");
    }
    let url = lines[0]
        .strip_prefix("serving on ")
        .unwrap_or_else(|| panic!("no URL in {:?}", lines[0]))
        .trim()
        .to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let cert = tmp.join("diglot-tls-example.pem");
    assert_eq!(
        lines[1].trim(),
        format!(
            "self-signed certificate for 127.0.0.1 and localhost in {}",
            cert.display()
        )
    );
    let cert = cert.to_str().expect("a UTF-8 temp path");

    // The guide's curl line, trusting the certificate.
    let mut curl = Command::new("curl");
    curl.args(["-s", "--cacert", cert, &url])
        .args(["-H", "Content-Type: application/json"])
        .args([
            "-d",
            r#"{"jsonrpc":"2.0","method":"calc.add","params":[2,3],"id":1}"#,
        ]);
    let ran = run(curl, None, Duration::from_secs(20), "curl is missing");
    assert_eq!(
        ran.stdout, r#"{"jsonrpc":"2.0","result":5,"id":1}"#,
        "{ran:?}"
    );

    // Without it, curl refuses the server (60: the peer's certificate
    // cannot be verified).
    let mut curl = Command::new("curl");
    curl.args(["-s", &url, "-d", "{}"]);
    let ran = run(curl, None, Duration::from_secs(20), "curl is missing");
    assert_eq!(ran.status.code(), Some(60), "{ran:?}");

    // The guide's Python line.
    let script = format!(
        "import ssl, xmlrpc.client as x; print(x.ServerProxy('{url}', \
         context=ssl.create_default_context(cafile='{cert}')).calc.add(2, 3))"
    );
    let mut python = Command::new("python3");
    python.args(["-c", &script]);
    let ran = run(python, None, Duration::from_secs(20), NO_PYTHON);
    assert_eq!(ran.stdout.trim(), "5", "{ran:?}");

    // The typed client, trusting only that certificate.
    use diglot::{ClientError, HttpConnection, Protocol, TlsRoots};
    use diglot_examples::calc::{Calc, CalculatorClient};
    let roots = TlsRoots::from_pem(&std::fs::read(cert).unwrap()).expect("the PEM loads");
    let rt = diglot_tests::runtime::multi_thread();
    rt.block_on(async {
        for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
            let connection = HttpConnection::with_roots(&url, protocol, &roots).unwrap();
            let calc = CalculatorClient::new(connection);
            assert_eq!(calc.add(2, 3).await.unwrap(), 5, "{protocol:?}");
            let fault = calc.div(1.0, 0.0).await.unwrap_err();
            assert_eq!(
                fault.fault().map(|f| f.code),
                Some(Calc::DIVISION_BY_ZERO),
                "{protocol:?}"
            );
        }
        // The system's roots do not include it.
        let calc = CalculatorClient::new(HttpConnection::new(&url, Protocol::JsonRpc).unwrap());
        let refused = calc.add(2, 3).await;
        assert!(matches!(refused, Err(ClientError::Io(_))), "{refused:?}");
    });
    server.terminate();

    // A certificate and key given on the command line.
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (given_cert, given_key) = (tmp.join("given.pem"), tmp.join("given-key.pem"));
    std::fs::write(&given_cert, made.cert.pem()).unwrap();
    std::fs::write(&given_key, made.signing_key.serialize_pem()).unwrap();
    let (server, url) = start_with(
        "tls",
        &[
            "--cert",
            given_cert.to_str().unwrap(),
            "--key",
            given_key.to_str().unwrap(),
        ],
    );
    let url = url.replace("127.0.0.1", "localhost");
    let mut curl = Command::new("curl");
    curl.args(["-s", "--cacert", given_cert.to_str().unwrap(), &url])
        .args(["-H", "Content-Type: application/json"])
        .args([
            "-d",
            r#"{"jsonrpc":"2.0","method":"calc.add","params":[2,3],"id":1}"#,
        ]);
    let ran = run(curl, None, Duration::from_secs(20), "curl is missing");
    assert_eq!(
        ran.stdout, r#"{"jsonrpc":"2.0","result":5,"id":1}"#,
        "{ran:?}"
    );
    server.terminate();
}

#[test]
fn the_custom_errors_example_answers_with_its_own_codes_and_maps_them_back() {
    let (server, url) = start("custom_errors");

    // JSON-RPC: code, message, and `data` where the error carries some.
    let quote = |params: &str| {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"shop.quote","params":{params},"id":1}}"#);
        curl_json(&url, &body)
    };
    assert_eq!(
        quote(r#"["pear",2]"#),
        r#"{"jsonrpc":"2.0","result":1.5,"id":1}"#
    );
    assert_eq!(
        quote(r#"["pear",5]"#),
        r#"{"jsonrpc":"2.0","error":{"code":2,"message":"not enough in stock","data":{"available":3}},"id":1}"#
    );
    assert_eq!(
        quote(r#"["plum",1]"#),
        r#"{"jsonrpc":"2.0","error":{"code":1,"message":"no such item"},"id":1}"#
    );
    assert_eq!(
        quote(r#"["apple",0]"#),
        r#"{"jsonrpc":"2.0","error":{"code":3,"message":"the count must be at least 1"},"id":1}"#
    );

    // XML-RPC: faultCode and faultString; there is no place for `data`.
    let script = format!(
        "import xmlrpc.client as x\n\
         shop = x.ServerProxy('{url}').shop\n\
         for item, count in [('pear', 5), ('plum', 1), ('apple', 0)]:\n    \
             try: shop.quote(item, count)\n    \
             except x.Fault as f: print(f.faultCode, f.faultString)"
    );
    let mut python = Command::new("python3");
    python.args(["-c", &script]);
    let ran = run(python, None, Duration::from_secs(20), NO_PYTHON);
    assert_eq!(
        ran.stdout, "2 not enough in stock\n1 no such item\n3 the count must be at least 1\n",
        "{ran:?}"
    );

    // The typed client, mapping each fault back to the shop's error.
    let mut client = Command::new(example_binary("custom_errors"));
    client.args(["--call", &url]);
    let ran = run(
        client,
        None,
        Duration::from_secs(20),
        "the example is built",
    );
    assert_eq!(
        ran.stdout,
        "JsonRpc:
  2 pear: costs 1.5
  5 pear: OutOfStock { available: 3 }
  1 plum: UnknownItem
  0 apple: NoItems
XmlRpc:
  2 pear: costs 1.5
  5 pear: not mapped: fault 2: not enough in stock
  1 plum: UnknownItem
  0 apple: NoItems
",
        "{ran:?}"
    );
    assert!(ran.status.success(), "{ran:?}");
    server.terminate();
}

#[test]
fn the_basic_auth_example_answers_with_credentials_and_refuses_without() {
    let (server, url) = start("http_basic_auth");
    // The guide's line: the credentials in the URL.
    let call = |url: &str| {
        let script = format!(
            "import xmlrpc.client as x\n\
             try:\n    print(x.ServerProxy({url:?}).calc.add(1, 2))\n\
             except x.ProtocolError as e:\n    print(e.errcode)"
        );
        let mut python = Command::new("python3");
        python.args(["-c", &script]);
        run(python, None, Duration::from_secs(20), NO_PYTHON)
    };
    let ran = call(&url);
    assert_eq!(ran.stdout.trim(), "3", "{ran:?}");
    let ran = call(&url.replace("ann:secret@", ""));
    assert_eq!(ran.stdout.trim(), "401", "no credentials: {ran:?}");
    let ran = call(&url.replace("secret", "guess"));
    assert_eq!(ran.stdout.trim(), "401", "a wrong password: {ran:?}");
    server.terminate();
}
