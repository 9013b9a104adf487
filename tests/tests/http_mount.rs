//! diglot mounted in an axum application under a tower layer (basic
//! authentication), called by Python's xmlrpc.client with and without
//! credentials.

use std::process::Command;

#[test]
fn python_calls_through_basic_auth_and_is_refused_without_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = diglot_examples::auth::app("ann", "s3cret").unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await });

    let script = format!(
        r#"
import urllib.request, xmlrpc.client
good = xmlrpc.client.ServerProxy("http://ann:s3cret@{addr}/RPC2")
assert good.calc.add(20, 22) == 42
try:
    xmlrpc.client.ServerProxy("http://ann:wrong@{addr}/RPC2").calc.add(1, 2)
    raise SystemExit("wrong credentials were accepted")
except xmlrpc.client.ProtocolError as e:
    assert e.errcode == 401, e.errcode
try:
    xmlrpc.client.ServerProxy("http://{addr}/RPC2").calc.add(1, 2)
    raise SystemExit("missing credentials were accepted")
except xmlrpc.client.ProtocolError as e:
    assert e.errcode == 401, e.errcode
assert urllib.request.urlopen("http://{addr}/health").read() == b"ok\n"
print("verdict: ok")
"#
    );
    let output = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3 must be installed (CI installs it)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("verdict: ok"),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
