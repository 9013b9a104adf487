//! HTTPS: the calculator served with `Server::https` and a self-signed
//! certificate made by rcgen for `localhost` and `127.0.0.1`, called by
//! Python's `xmlrpc.client.ServerProxy` with
//! `ssl.create_default_context(cafile=…)` (`tests/python/http_tls_client.py`)
//! and by `curl --cacert` over JSON-RPC. A client speaking plain HTTP to the
//! HTTPS port is dropped without disturbing the server.

mod http_support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use diglot::{Dispatcher, HttpEndpoint, TlsConfig};
use diglot_examples::calc::{Calc, CalculatorService};
use http_support::{TestServer, assert_verdict, post, python, read_response, run};
use tokio::io::AsyncWriteExt as _;

/// A file removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(stem: &str, contents: &str) -> TempFile {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path =
            std::env::temp_dir().join(format!("diglot-{stem}-{}-{nanos}.pem", std::process::id()));
        std::fs::write(&path, contents).expect("the temp file is written");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn python_and_curl_call_over_https_with_a_self_signed_certificate() {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("a self-signed certificate");
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let tls = TlsConfig::from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).expect("the PEM loads");
    let server = TestServer::start(
        Dispatcher::new(CalculatorService::new(Calc)).unwrap(),
        HttpEndpoint::new("127.0.0.1:0".parse().unwrap()).tls(tls),
    );
    let cafile = TempFile::new("tls-ca", &cert_pem);
    let port = server.addr.port().to_string();

    let ran = python(
        "http_tls_client.py",
        &[&port, cafile.path()],
        Duration::from_secs(60),
    );
    assert_verdict(&ran, "python3 http_tls_client.py");

    // curl, over JSON-RPC, trusting the certificate.
    let mut curl = Command::new("curl");
    curl.args([
        "--silent",
        "--show-error",
        "--max-time",
        "10",
        "--cacert",
        cafile.path(),
    ])
    .args(["-H", "Content-Type: application/json"])
    .args([
        "--data-binary",
        r#"{"jsonrpc":"2.0","method":"calc.add","params":{"a":2,"b":3},"id":7}"#,
    ])
    .arg(format!("https://localhost:{port}/RPC2"));
    let out = run(
        curl,
        Duration::from_secs(20),
        "curl was not found on PATH (CI's .ci/run installs it)",
    );
    assert!(
        out.status.success(),
        "curl over HTTPS failed: {}",
        out.stderr
    );
    assert_eq!(out.stdout, r#"{"jsonrpc":"2.0","result":5,"id":7}"#);

    // Plain HTTP to the HTTPS port: the connection is dropped, quickly.
    server.rt.block_on(async {
        let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let request = post("/RPC2", &["Content-Type: application/json"], b"{}");
        stream.write_all(&request).await.unwrap();
        let answer = read_response(&mut stream, &mut Vec::new()).await;
        assert!(
            !matches!(&answer, Err(e) if e.kind() == std::io::ErrorKind::TimedOut),
            "plain HTTP to the HTTPS port hung"
        );
        assert!(
            !matches!(&answer, Ok(Some(r)) if r.status == 200),
            "plain HTTP was served on the HTTPS port"
        );
    });

    // Still serving.
    let ran = python(
        "http_tls_client.py",
        &[&port, cafile.path()],
        Duration::from_secs(60),
    );
    assert_verdict(&ran, "python3 http_tls_client.py, again");
    drop(cafile);
    server.stop().expect("the server stops cleanly");
}
