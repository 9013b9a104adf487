//! The calculator, served by diglot on every transport at once.
//!
//! ```text
//! cargo run --example calculator                         # every transport, default addresses
//! cargo run --example calculator -- --http 0.0.0.0:9000  # only the transports named
//! ```

use std::net::SocketAddr;

use diglot::{Dispatcher, Server, Shutdown};
use diglot_examples::calc::{Calc, CalculatorServer};

/// Where HTTP listens unless `--http` says otherwise.
const DEFAULT_HTTP: &str = "127.0.0.1:8080";

const USAGE: &str = "usage: calculator [--http ADDR]

With no flag, serves every transport at its default address:
  --http ADDR   XML-RPC and JSON-RPC over HTTP (default 127.0.0.1:8080)";

/// The transports asked for on the command line.
#[derive(Debug, Default)]
struct Options {
    http: Option<SocketAddr>,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options::default();
        let mut named = false;
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--http" => {
                    let addr = args.next().ok_or("--http needs an address")?;
                    options.http = Some(addr.parse().map_err(|e| format!("--http {addr}: {e}"))?);
                    named = true;
                }
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
            }
        }
        if !named {
            options.http = Some(DEFAULT_HTTP.parse().expect("a valid default"));
        }
        Ok(options)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    // ANCHOR: serve
    let dispatcher = Dispatcher::new(CalculatorServer::new(Calc))?;
    let mut server = Server::new(dispatcher);
    if let Some(addr) = options.http {
        server = server.http(addr);
    }
    let server = server.bind().await?;
    // ANCHOR_END: serve
    for addr in server.http_addrs() {
        println!("calculator: XML-RPC and JSON-RPC over HTTP on http://{addr}/RPC2");
        println!("  python3 -c \"import xmlrpc.client as x; print(x.ServerProxy('http://{addr}/RPC2').calc.add(1, 2))\"");
        println!(
            "  curl -s http://{addr}/RPC2 -H 'Content-Type: application/json' -d '{{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":1}}'"
        );
    }
    println!("Ctrl-C stops the server once calls in flight have finished.");
    server.serve_until(Shutdown::on_signal()).await?;
    Ok(())
}
