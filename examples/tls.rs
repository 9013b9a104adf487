//! HTTPS: the calculator served over TLS, with a certificate you give or a
//! self-signed one made at start.
//!
//! ```text
//! cargo run --example tls                                             # https://127.0.0.1:8443/RPC2, self-signed
//! cargo run --example tls -- --cert cert.pem --key key.pem 0.0.0.0:8443 # your chain and key, in PEM
//! ```
//!
//! With no certificate given it makes one for `127.0.0.1` and `localhost`
//! and writes it (not its key, which never leaves memory) to
//! `diglot-tls-example.pem` in the temporary directory, and prints where.
//! Clients trust that file and verify the server against it:
//!
//! ```text
//! curl -s --cacert /tmp/diglot-tls-example.pem https://127.0.0.1:8443/RPC2 \
//!      -H 'Content-Type: application/json' \
//!      -d '{"jsonrpc":"2.0","method":"calc.add","params":[2,3],"id":1}'
//! python3 -c "import ssl, xmlrpc.client as x; print(x.ServerProxy('https://127.0.0.1:8443/RPC2', context=ssl.create_default_context(cafile='/tmp/diglot-tls-example.pem')).calc.add(2, 3))"
//! ```

use std::path::PathBuf;

use diglot::{Dispatcher, Server, TlsConfig};
use diglot_examples::calc::{Calc, CalculatorService};

const USAGE: &str = "usage: tls [--cert CERT.pem --key KEY.pem] [ADDR]

Serves the calculator over HTTPS on ADDR (default 127.0.0.1:8443). Without
--cert and --key, with a self-signed certificate made at start.";

// ANCHOR: certificate
/// The certificate chain and key to serve with: read from the files
/// given, or made at start for 127.0.0.1 and localhost, its certificate
/// written where clients can read it.
fn certificate(
    given: Option<(String, String)>,
) -> Result<(TlsConfig, Option<PathBuf>), Box<dyn std::error::Error>> {
    if let Some((cert, key)) = given {
        let tls = TlsConfig::from_pem(&std::fs::read(cert)?, &std::fs::read(key)?)?;
        return Ok((tls, None));
    }
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let made = rcgen::generate_simple_self_signed(names)?;
    let cert_pem = made.cert.pem();
    let tls = TlsConfig::from_pem(
        cert_pem.as_bytes(),
        made.signing_key.serialize_pem().as_bytes(),
    )?;
    // Only the certificate is written: clients need it to verify the
    // server; the key stays in this process.
    let path = std::env::temp_dir().join("diglot-tls-example.pem");
    std::fs::write(&path, cert_pem)?;
    Ok((tls, Some(path)))
}
// ANCHOR_END: certificate

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut addr, mut cert, mut key) = ("127.0.0.1:8443".to_owned(), None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cert" => cert = Some(args.next().ok_or(USAGE)?),
            "--key" => key = Some(args.next().ok_or(USAGE)?),
            flag if flag.starts_with('-') => return Err(USAGE.into()),
            _ => addr = arg,
        }
    }
    let given = match (cert, key) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        _ => return Err(format!("--cert and --key go together\n\n{USAGE}").into()),
    };
    let (tls, written) = certificate(given)?;

    // ANCHOR: serve
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc))?;
    let server = Server::new(dispatcher).https(addr.parse()?, tls);
    let server = server.bind().await?;
    println!("serving on https://{}/RPC2", server.http_addrs()[0]);
    if let Some(path) = written {
        println!(
            "self-signed certificate for 127.0.0.1 and localhost in {}",
            path.display()
        );
    }
    server.serve().await?; // until Ctrl-C or SIGTERM
    // ANCHOR_END: serve
    Ok(())
}
