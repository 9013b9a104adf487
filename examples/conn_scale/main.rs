//! What many idle keep-alive connections cost a server: resident memory per
//! connection, and the latency of `calc.add` on one more connection while
//! they stay open, for diglot over HTTP and over a Unix socket, beside
//! jsonrpsee over HTTP.
//!
//! ```text
//! cargo run --release -p diglot-examples --example conn_scale            # the whole run
//! cargo run --release -p diglot-examples --example conn_scale -- --help  # knobs
//! ```
//!
//! With no role the binary is the driver: it starts each server and then a
//! client as child processes of itself, pinned with `taskset` to different
//! cores, and prints one machine-readable line per round and a summary
//! table. The roles it starts:
//!
//! - `server diglot-http|diglot-unix|jsonrpsee-http --at WHERE
//!   --connections N`: the calculator of `examples/calc.rs` on
//!   `diglot::Server` (`HttpEndpoint` or `LocalEndpoint`), or jsonrpsee
//!   serving the same `calc.add`; each admits more than `N` connections.
//!   Prints `ready WHERE` and exits when its stdin ends;
//! - `client http|unix --at WHERE --server-pid PID --connections N`: times
//!   sequential calls on one connection, opens `N` more that each make one
//!   call and stay open, reads the server's resident memory before and
//!   after, times the calls again, and checks a sample of the idle
//!   connections still answer.
//!
//! Linux only: it reads `/proc/PID/status`. See `README.md` beside this file.

#[cfg(target_os = "linux")]
mod client;
#[cfg(target_os = "linux")]
mod driver;
#[cfg(target_os = "linux")]
#[path = "../bench_harness/mod.rs"]
mod harness;
#[cfg(target_os = "linux")]
mod server;

/// The request every client sends, as a JSON-RPC body.
#[cfg(target_os = "linux")]
const BODY: &[u8] = b"{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":1}";

#[cfg(target_os = "linux")]
use harness::Flags;

/// Raises this process's soft limit on open files to its hard limit, and
/// says whether `needed` descriptors fit under it.
#[cfg(target_os = "linux")]
fn raise_open_files(needed: usize) -> Result<(), String> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    setrlimit(Resource::Nofile, raised).map_err(|e| format!("setrlimit(NOFILE): {e}"))?;
    match limit.maximum {
        Some(hard) if (hard as usize) < needed => Err(format!(
            "{needed} open files are needed but the hard limit is {hard}: \
             pass a smaller --connections, or raise it (`ulimit -Hn {needed}` as root, \
             or `LimitNOFILE=` / `/etc/security/limits.conf`)"
        )),
        _ => Ok(()),
    }
}

#[cfg(target_os = "linux")]
fn main() {
    harness::run_roles(
        "conn_scale",
        &[("server", server::main), ("client", client::main)],
        driver::main,
    );
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("conn_scale reads /proc and runs on Linux only");
}
