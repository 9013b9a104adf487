//! Round-trip latency of diglot's shared-memory transport, side by side
//! with its Unix-socket and TCP transports and with a raw shared-memory
//! ping-pong of the same bytes (the floor), and the CPU an idle
//! shared-memory server costs.
//!
//! ```text
//! cargo build --release -p diglot-examples --example calculator --example shm_bench
//! target/release/examples/shm_bench            # the whole run
//! target/release/examples/shm_bench --help     # knobs
//! ```
//!
//! With no role the binary is the driver: it starts the calculator example
//! (`--shm`, `--unix` and `--tcp` at temporary paths and a free port)
//! pinned to one core and its own roles pinned to the other, prints one
//! machine-readable line per measurement, then a summary against the
//! targets. The roles it starts:
//!
//! - `client (shm|unix|tcp) --at WHERE --payload P`: one connection,
//!   sequential calls timed one by one. `shm` is
//!   `Client<ShmConnection>::call_blocking` on the calling thread, `unix`
//!   and `tcp` are `Client<StreamConnection>` on a current-thread tokio
//!   runtime; all speak JSON-RPC.
//! - `floor-server --file PATH --payload P` and `floor-client --file PATH
//!   --payload P`: two processes spinning on a shared mapping of a file in
//!   `/dev/shm`, moving the same request and response bytes.
//! - `idle-clients --at WHERE --clients N`: N blocking shared-memory
//!   connections that make one call each, then sit idle until stdin ends.
//!
//! See `README.md` beside this file.

#[cfg(target_os = "linux")]
mod client;
#[cfg(target_os = "linux")]
mod driver;
#[cfg(target_os = "linux")]
mod floor;

/// What is called.
#[cfg(target_os = "linux")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Payload {
    /// `calc.add(1, 2)`.
    Add,
    /// `calc.echo` of a `diglot::Bytes` of this many bytes (base64 in the
    /// JSON request and response).
    Echo(usize),
}

#[cfg(target_os = "linux")]
impl Payload {
    fn parse(text: &str) -> Result<Payload, String> {
        match text {
            "add" => Ok(Payload::Add),
            "1KiB" => Ok(Payload::Echo(1 << 10)),
            "64KiB" => Ok(Payload::Echo(64 << 10)),
            "1MiB" => Ok(Payload::Echo(1 << 20)),
            other => other.parse().map(Payload::Echo).map_err(|_| {
                format!("unknown payload `{other}` (add, 1KiB, 64KiB, 1MiB or a byte count)")
            }),
        }
    }

    fn name(self) -> String {
        match self {
            Payload::Add => "add".to_owned(),
            Payload::Echo(n) if n >= 1 << 20 && n.is_multiple_of(1 << 20) => {
                format!("{}MiB", n >> 20)
            }
            Payload::Echo(n) if n >= 1 << 10 && n.is_multiple_of(1 << 10) => {
                format!("{}KiB", n >> 10)
            }
            Payload::Echo(n) => n.to_string(),
        }
    }

    /// The bytes echoed.
    fn bytes(self) -> diglot::Bytes {
        let n = match self {
            Payload::Add => 0,
            Payload::Echo(n) => n,
        };
        diglot::Bytes((0..n).map(|i| (i % 251) as u8).collect())
    }

    /// The JSON-RPC request diglot's client writes for this call (with id
    /// 1), and the calculator's answer to it, byte for byte: what the
    /// floor moves.
    fn exchange(self) -> Result<(Vec<u8>, Vec<u8>), BoxError> {
        use diglot::json::{Id, write_request};
        let mut request = Vec::new();
        let id = Id::from(1_i64);
        match self {
            Payload::Add => write_request(&mut request, "calc.add", &(1, 2), Some(&id))?,
            Payload::Echo(_) => {
                write_request(&mut request, "calc.echo", &(self.bytes(),), Some(&id))?;
            }
        }
        let dispatcher = diglot::Dispatcher::new(diglot_examples::calc::CalculatorService::new(
            diglot_examples::calc::Calc,
        ))?;
        let reply =
            diglot::block_on(dispatcher.handle_body(&request, Some(diglot::Protocol::JsonRpc)));
        Ok((request, reply.body.to_vec()))
    }
}

#[cfg(target_os = "linux")]
use harness::Flags;

/// What one client run measured: round trips in nanoseconds (sorted) and
/// the calls per second of the timed calls back to back.
#[cfg(target_os = "linux")]
struct Measured {
    round_trips: Vec<u64>,
    total: std::time::Duration,
}

#[cfg(target_os = "linux")]
impl Measured {
    /// Prints `p50_ns=… p99_ns=… calls_per_s=…`, the line the driver reads.
    fn print(mut self) {
        self.round_trips.sort_unstable();
        let calls_per_s = self.round_trips.len() as f64 / self.total.as_secs_f64();
        harness::print_figures(&self.round_trips, calls_per_s);
    }
}

/// Room for `n` samples, its pages already touched: a page fault in the
/// middle of the timed calls would land in some call's time.
#[cfg(target_os = "linux")]
fn samples(n: usize) -> Vec<u64> {
    let mut v = vec![u64::MAX; n];
    std::hint::black_box(&mut v);
    v.clear();
    v
}

#[cfg(target_os = "linux")]
#[path = "../bench_harness/mod.rs"]
mod harness;
#[cfg(target_os = "linux")]
#[path = "../bench_harness/shm_floor.rs"]
mod shm_floor;

#[cfg(target_os = "linux")]
use harness::{BoxError, nanos};

#[cfg(target_os = "linux")]
fn main() {
    harness::run_roles(
        "shm_bench",
        &[
            ("client", client::main),
            ("idle-clients", client::idle),
            ("floor-server", floor::server),
            ("floor-client", floor::client),
        ],
        driver::main,
    );
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("shm_bench: the shared-memory transport exists only on Linux");
}
