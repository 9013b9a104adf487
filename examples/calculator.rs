//! The calculator, served by diglot on every transport at once.
//!
//! ```text
//! cargo run --example calculator                         # every transport, default addresses
//! cargo run --example calculator -- --http 0.0.0.0:9000  # only the transports named
//! cargo run --example calculator -- --stdio              # for a parent process, over stdin/stdout
//! cargo run --example calculator -- --shm /tmp/calc.shm  # only shared memory (Linux)
//! ```

use std::fmt::Write as _;
use std::io::Write;
use std::net::SocketAddr;

use diglot::LocalName;
use diglot::{Dispatcher, HttpConfig, HttpEndpoint, Server};
use diglot_examples::calc::{Calc, CalculatorService};

const DEFAULT_HTTP: &str = "127.0.0.1:8080";
const DEFAULT_TCP: &str = "127.0.0.1:7070";
#[cfg(unix)]
const DEFAULT_LOCAL: &str = "/tmp/diglot-calculator.sock";
#[cfg(windows)]
const DEFAULT_LOCAL: &str = "diglot-calculator";
/// Shared memory is served by default where it exists.
#[cfg(target_os = "linux")]
const DEFAULT_SHM: Option<&str> = Some("/tmp/diglot-calculator.shm");
#[cfg(not(target_os = "linux"))]
const DEFAULT_SHM: Option<&str> = None;

const USAGE: &str =
    "usage: calculator [--http ADDR] [--tcp ADDR] [--unix PATH] [--shm PATH] [--stdio]

With no flag, serves every network and local transport at its default address:
  --http ADDR   XML-RPC and JSON-RPC over HTTP      (default 127.0.0.1:8080)
  --tcp ADDR    raw TCP: JSON lines, Content-Length or HTTP (default 127.0.0.1:7070)
  --unix PATH   a Unix domain socket, mode 0600; @NAME for an abstract name;
                a pipe name on Windows          (default /tmp/diglot-calculator.sock)
  --shm PATH    shared memory (Linux only), handshake on a Unix socket, mode 0600
                                                (default /tmp/diglot-calculator.shm)
  --stdio       stdin/stdout, for a parent process (only when asked for)

Under socket activation (LISTEN_FDS, as systemd passes it), HTTP is served
on the first inherited socket instead of the --http address.";

/// The transports asked for on the command line.
#[derive(Debug, Default)]
struct Options {
    http: Option<SocketAddr>,
    tcp: Option<SocketAddr>,
    local: Option<LocalName>,
    shm: Option<LocalName>,
    stdio: bool,
}

fn addr(flag: &str, value: Option<String>) -> Result<SocketAddr, String> {
    let value = value.ok_or_else(|| format!("{flag} needs an address"))?;
    value.parse().map_err(|e| format!("{flag} {value}: {e}"))
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options::default();
        let mut named = false;
        while let Some(arg) = args.next() {
            named = true;
            match arg.as_str() {
                "--http" => options.http = Some(addr("--http", args.next())?),
                "--tcp" => options.tcp = Some(addr("--tcp", args.next())?),
                "--unix" => {
                    let name = args.next().ok_or("--unix needs a path")?;
                    options.local = Some(LocalName::parse(&name));
                }
                "--shm" => {
                    let name = args.next().ok_or("--shm needs a path")?;
                    options.shm = Some(LocalName::parse(&name));
                }
                "--stdio" => options.stdio = true,
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
            }
        }
        if !named {
            options.http = Some(DEFAULT_HTTP.parse().expect("a valid default"));
            options.tcp = Some(DEFAULT_TCP.parse().expect("a valid default"));
            options.local = Some(LocalName::parse(DEFAULT_LOCAL));
            options.shm = DEFAULT_SHM.map(LocalName::parse);
        }
        Ok(options)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs go to stderr: with --stdio, stdout carries the protocol.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
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
    let dispatcher = Dispatcher::builder()
        .service(CalculatorService::new(Calc))
        .info("diglot calculator", env!("CARGO_PKG_VERSION"))
        .build()?;
    let mut server = Server::new(dispatcher);
    if let Some(addr) = options.http {
        // Under socket activation (systemd, systemd-socket-activate) the
        // inherited socket stands in for the address.
        let endpoint = match diglot::inherited_tcp_listener(0)? {
            Some(listener) => HttpEndpoint::from_listener(listener),
            None => HttpEndpoint::new(addr),
        };
        // A browser on the RPC path gets the console: a demo, on loopback.
        server = server.endpoint(endpoint.config(HttpConfig::default().console(true)));
    }
    if let Some(addr) = options.tcp {
        server = server.tcp(addr);
    }
    if let Some(name) = options.local.clone() {
        server = server.local(name);
    }
    if let Some(name) = options.shm.clone() {
        server = server.shm(name);
    }
    if options.stdio {
        server = server.stdio();
    }
    let server = server.bind().await?;
    // ANCHOR_END: serve

    let mut help = String::new();
    for addr in server.http_addrs() {
        writeln!(
            help,
            "calculator: XML-RPC and JSON-RPC over HTTP on http://{addr}/RPC2"
        )?;
        writeln!(
            help,
            "  python3 -c \"import xmlrpc.client as x; print(x.ServerProxy('http://{addr}/RPC2').calc.add(1, 2))\""
        )?;
        writeln!(
            help,
            "  curl -s http://{addr}/RPC2 -H 'Content-Type: application/json' -d '{{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":1}}'"
        )?;
        writeln!(
            help,
            "  or open http://{addr}/RPC2 in a browser: the console"
        )?;
    }
    for addr in server.tcp_addrs() {
        writeln!(
            help,
            "calculator: raw TCP on {addr} (JSON lines, Content-Length or HTTP)"
        )?;
        writeln!(
            help,
            "  echo '{{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":1}}' | nc -q1 {} {}",
            addr.ip(),
            addr.port()
        )?;
    }
    for name in server.local_names() {
        writeln!(help, "calculator: local socket {name}")?;
        writeln!(
            help,
            "  curl -s --unix-socket {name} http://localhost/RPC2 -d '{{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":1}}'"
        )?;
    }
    for name in server.shm_names() {
        writeln!(help, "calculator: shared memory, handshake on {name}")?;
        writeln!(
            help,
            "  from Rust: ShmConnection::connect_blocking(&LocalName::parse(\"{name}\"), Protocol::JsonRpc)"
        )?;
    }
    if options.stdio {
        writeln!(
            help,
            "calculator: serving stdin/stdout (Content-Length framing or JSON lines)"
        )?;
    }
    writeln!(
        help,
        "Ctrl-C stops the server once calls in flight have finished."
    )?;
    // Whoever reads this may stop reading (`| head -1`, a test that wants
    // the first line): the server serves on regardless.
    let _ = if options.stdio {
        std::io::stderr().write_all(help.as_bytes())
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(help.as_bytes()).and_then(|()| out.flush())
    };
    server.serve().await?;
    Ok(())
}
