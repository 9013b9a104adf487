//! Round-trip latency of diglot's stream transports (Unix socket and TCP),
//! measured beside a raw ping-pong of the same bytes over the same kind of
//! socket: the floor.
//!
//! ```text
//! cargo run --release -p diglot-examples --example stream_latency            # the whole run
//! cargo run --release -p diglot-examples --example stream_latency -- --help  # knobs
//! ```
//!
//! With no role the binary is the driver: it starts servers and clients as
//! child processes of itself, pinned with `taskset` (same core, then two
//! different cores), and prints one machine-readable line per measurement
//! and a summary table. The roles it starts:
//!
//! - `server diglot (--tcp ADDR | --unix PATH)`: the calculator of
//!   `examples/calc.rs` served by `diglot::Server`;
//! - `server floor (--tcp ADDR | --unix PATH)`: a blocking echo loop that
//!   reads request-sized messages and writes the response bytes diglot
//!   would send, doing no other work;
//! - `server tokio …`: the same echo on tokio sockets (the reactor's cost);
//! - `server blocking …`: an experiment, the calculator's `Dispatcher`
//!   called from the floor's blocking loop (JSON lines only);
//! - `client KIND (--tcp ADDR | --unix PATH)`: one connection, sequential
//!   calls timed one by one (p50, p99), then 64 calls in flight at a time
//!   (calls per second). `KIND` is `lines` (a blocking socket sending a JSON
//!   line), `content-length` (the same with `Content-Length` framing) or
//!   `diglot` (`diglot::StreamConnection` with the generated client).
//!
//! See `README.md` beside this file.

mod client;
mod driver;
#[path = "../bench_harness/mod.rs"]
mod harness;
mod server;

use harness::BoxError;

use std::net::SocketAddr;
use std::path::PathBuf;

/// The request every raw client sends, as one JSON line.
const LINE_REQUEST: &[u8] =
    b"{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":1}\n";
/// diglot's answer to [`LINE_REQUEST`], byte for byte.
const LINE_RESPONSE: &[u8] = b"{\"jsonrpc\":\"2.0\",\"result\":3,\"id\":1}\n";
/// The same request in `Content-Length` framing.
const CL_REQUEST: &[u8] =
    b"Content-Length: 59\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":1}";
/// diglot's answer to [`CL_REQUEST`], byte for byte.
const CL_RESPONSE: &[u8] = b"Content-Length: 35\r\n\r\n{\"jsonrpc\":\"2.0\",\"result\":3,\"id\":1}";

/// Where a server listens.
#[derive(Debug, Clone)]
enum Endpoint {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl Endpoint {
    /// The flags that name this endpoint on a command line.
    fn to_args(&self) -> [String; 2] {
        match self {
            Endpoint::Tcp(addr) => ["--tcp".to_owned(), addr.to_string()],
            Endpoint::Unix(path) => ["--unix".to_owned(), path.display().to_string()],
        }
    }
}

/// Parsed `--name value` options, for the roles.
#[derive(Debug, Default)]
struct Flags {
    endpoint: Option<Endpoint>,
    values: Vec<(String, String)>,
}

impl Flags {
    fn parse(args: &[String]) -> Result<Flags, String> {
        let mut flags = Flags::default();
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .ok_or_else(|| format!("{flag} needs a value"))?
                .clone();
            match flag.as_str() {
                "--tcp" => {
                    let addr = value.parse().map_err(|e| format!("--tcp {value}: {e}"))?;
                    flags.endpoint = Some(Endpoint::Tcp(addr));
                }
                "--unix" => flags.endpoint = Some(Endpoint::Unix(PathBuf::from(value))),
                other if other.starts_with("--") => {
                    flags.values.push((other[2..].to_owned(), value));
                }
                other => return Err(format!("unexpected argument `{other}`")),
            }
        }
        Ok(flags)
    }

    fn endpoint(&self) -> Result<Endpoint, String> {
        self.endpoint
            .clone()
            .ok_or_else(|| "--tcp ADDR or --unix PATH is needed".to_owned())
    }

    /// The number given as `--name`, or `default`.
    fn number(&self, name: &str, default: usize) -> Result<usize, String> {
        match self.values.iter().rev().find(|(n, _)| n == name) {
            None => Ok(default),
            Some((_, v)) => v.parse().map_err(|e| format!("--{name} {v}: {e}")),
        }
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn main() {
    harness::run_roles(
        "stream_latency",
        &[("server", server::main), ("client", client::main)],
        driver::main,
    );
}
