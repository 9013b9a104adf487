//! Throughput of big calls: `calc.echo` of 1 KiB to 16 MiB of text and of
//! bytes, over HTTP, a Unix socket and shared memory, in JSON-RPC and
//! XML-RPC, each beside the same number of bytes moved raw over the same
//! transport (the floor).
//!
//! ```text
//! cargo build --release -p diglot-examples --example payload_bench
//! target/release/examples/payload_bench            # the whole run
//! target/release/examples/payload_bench --help     # knobs
//! ```
//!
//! With no role the binary is the driver: it starts its server roles pinned
//! to one core and its client roles pinned to the other, prints one
//! machine-readable line per measurement, then a table of medians and a
//! summary against the targets. The roles:
//!
//! - `server --http ADDR --unix PATH --shm PATH`: the calculator of
//!   `examples/calc.rs` on `diglot::Server`, every transport at once, with
//!   a body limit that lets 16 MiB through in either protocol;
//! - `client TRANSPORT PROTOCOL KIND --at WHERE --size N …`: one
//!   connection, sequential `calc.echo` calls timed one by one;
//! - `floor-server --http ADDR --unix PATH` and `floor-client (http|unix) …`:
//!   a blocking raw echo, `Content-Length` framed, that answers each
//!   message with as many bytes as diglot's response has;
//! - `shm-floor-server` and `floor-client shm …`: the spinning shared
//!   mapping of `bench_harness/shm_floor.rs`, moving the same byte counts.
//!
//! See `README.md` beside this file.

#[cfg(target_os = "linux")]
mod client;
#[cfg(target_os = "linux")]
mod driver;
#[cfg(target_os = "linux")]
mod floor;
#[cfg(target_os = "linux")]
mod server;

#[cfg(target_os = "linux")]
#[path = "../bench_harness/mod.rs"]
mod harness;
#[cfg(target_os = "linux")]
#[path = "../bench_harness/shm_floor.rs"]
mod shm_floor;

#[cfg(target_os = "linux")]
use std::time::{Duration, Instant};

#[cfg(target_os = "linux")]
use harness::{BoxError, Flags};

/// The largest body either side accepts: a 16 MiB payload as base64 in
/// XML-RPC is 22.4 MB, past the 16 MiB default.
#[cfg(target_os = "linux")]
const BODY_LIMIT: usize = 64 << 20;

/// What is echoed.
#[cfg(target_os = "linux")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A string of ASCII text, which neither protocol escapes.
    Text,
    /// A `diglot::Bytes`: base64 in either protocol.
    Bytes,
}

#[cfg(target_os = "linux")]
impl Kind {
    fn parse(text: &str) -> Result<Kind, String> {
        match text {
            "text" => Ok(Kind::Text),
            "bytes" => Ok(Kind::Bytes),
            other => Err(format!("unknown kind `{other}` (text or bytes)")),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Bytes => "bytes",
        }
    }
}

/// The wire protocol, by the name the command line uses.
#[cfg(target_os = "linux")]
fn protocol(text: &str) -> Result<diglot::Protocol, String> {
    match text {
        "json" => Ok(diglot::Protocol::JsonRpc),
        "xml" => Ok(diglot::Protocol::XmlRpc),
        other => Err(format!("unknown protocol `{other}` (json or xml)")),
    }
}

/// Text of `n` bytes: words, digits and punctuation that need no escaping
/// in JSON or XML, so that the wire carries exactly `n` bytes of it.
#[cfg(target_os = "linux")]
fn text(n: usize) -> String {
    const SENTENCE: &[u8] = b"The quick brown fox jumps over the lazy dog, 0123456789 times. ";
    SENTENCE
        .iter()
        .copied()
        .cycle()
        .take(n)
        .map(char::from)
        .collect()
}

/// `n` bytes of every value but a few, so that base64 sees no runs.
#[cfg(target_os = "linux")]
fn bytes(n: usize) -> diglot::Bytes {
    diglot::Bytes((0..n).map(|i| (i % 251) as u8).collect())
}

/// Filler for the floors, which only count bytes.
#[cfg(target_os = "linux")]
fn filler(n: usize) -> Vec<u8> {
    (0..n).map(|i| b'a' + (i % 26) as u8).collect()
}

/// A size: a byte count, or a number with `KiB` or `MiB`.
#[cfg(target_os = "linux")]
fn parse_size(text: &str) -> Result<usize, String> {
    let (digits, unit) = if let Some(d) = text.strip_suffix("MiB") {
        (d, 1 << 20)
    } else if let Some(d) = text.strip_suffix("KiB") {
        (d, 1 << 10)
    } else {
        (text, 1)
    };
    let size = digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| format!("bad size `{text}` (a byte count, or N KiB or MiB: 64KiB)"))?;
    // A 16 MiB payload fits the body limit in either protocol; a much
    // larger one would not.
    if size == 0 || size > 32 << 20 {
        return Err(format!("size `{text}` out of range (1 byte to 32 MiB)"));
    }
    Ok(size)
}

/// A size as the table shows it.
#[cfg(target_os = "linux")]
fn size_name(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} B")
    }
}

/// How many calls one measurement makes: `warmup` untimed, then timed ones
/// until `min` are done and `budget` has passed, or `max` are done.
#[cfg(target_os = "linux")]
#[derive(Debug, Clone, Copy)]
struct Plan {
    warmup: usize,
    min: usize,
    max: usize,
    budget: Duration,
}

#[cfg(target_os = "linux")]
impl Plan {
    fn from_flags(flags: &Flags) -> Result<Plan, String> {
        let min = flags.number("min-calls", 3)?.max(1);
        Ok(Plan {
            warmup: flags.number("warmup", 1)?,
            min,
            max: flags.number("max-calls", 20_000)?.max(min),
            budget: Duration::from_millis(flags.number("ms", 150)? as u64),
        })
    }

    fn to_args(self) -> Vec<String> {
        vec![
            "--warmup".into(),
            self.warmup.to_string(),
            "--min-calls".into(),
            self.min.to_string(),
            "--max-calls".into(),
            self.max.to_string(),
            "--ms".into(),
            self.budget.as_millis().to_string(),
        ]
    }
}

/// The round trips of one measurement, as they are made.
#[cfg(target_os = "linux")]
struct Timing {
    plan: Plan,
    made: usize,
    round_trips: Vec<u64>,
    total: Duration,
}

#[cfg(target_os = "linux")]
impl Timing {
    fn new(plan: Plan) -> Timing {
        // Touched now: a page fault mid-run would land in some call's time.
        let mut round_trips = vec![u64::MAX; plan.max];
        std::hint::black_box(&mut round_trips);
        round_trips.clear();
        Timing {
            plan,
            made: 0,
            round_trips,
            total: Duration::ZERO,
        }
    }

    /// Whether to make another call.
    fn more(&self) -> bool {
        let timed = self.round_trips.len();
        self.made < self.plan.warmup
            || timed < self.plan.min
            || (timed < self.plan.max && self.total < self.plan.budget)
    }

    /// Counts a call that started at `start` and has just ended.
    fn record(&mut self, start: Instant) {
        let elapsed = start.elapsed();
        self.made += 1;
        if self.made > self.plan.warmup {
            self.round_trips.push(harness::nanos(elapsed));
            self.total += elapsed;
        }
    }

    /// Prints `p50_ns=… p99_ns=… calls_per_s=…`, the line the driver
    /// reads, with calls/s to three decimals: a 16 MiB call takes a good
    /// part of a second.
    fn print(mut self) {
        self.round_trips.sort_unstable();
        let calls_per_s = self.round_trips.len() as f64 / self.total.as_secs_f64();
        println!(
            "p50_ns={} p99_ns={} calls_per_s={calls_per_s:.3}",
            harness::percentile(&self.round_trips, 50),
            harness::percentile(&self.round_trips, 99),
        );
    }
}

#[cfg(target_os = "linux")]
fn main() {
    harness::run_roles(
        "payload_bench",
        &[
            ("server", server::main),
            ("client", client::main),
            ("floor-server", floor::server),
            ("shm-floor-server", floor::shm_server),
            ("floor-client", floor::client),
        ],
        driver::main,
    );
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("payload_bench: the shared-memory transport exists only on Linux");
}
