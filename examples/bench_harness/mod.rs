//! What the two-process benchmarks (`stream_latency`, `shm_bench`,
//! `conn_scale`, `payload_bench`) share: starting roles pinned to a CPU,
//! reading the figures a client prints, medians over rounds, a note on the
//! machine, and `--name value` options. Each binary includes this file with
//! `#[path]`; it is not an example of its own. (`shm_floor.rs` beside it is
//! the shared-memory floor, for the binaries that need one.)

#![allow(dead_code)] // each binary uses its own part of it

use std::io::Read as _;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What one client run measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub(crate) p50_ns: u64,
    pub(crate) p99_ns: u64,
    pub(crate) calls_per_s: f64,
}

impl Sample {
    /// Reads the `p50_ns=… p99_ns=… calls_per_s=…` line a client prints.
    pub(crate) fn parse(out: &str) -> Option<Sample> {
        let field = |name: &str| {
            out.split_whitespace()
                .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
        };
        Some(Sample {
            p50_ns: field("p50_ns")?.parse().ok()?,
            p99_ns: field("p99_ns")?.parse().ok()?,
            calls_per_s: field("calls_per_s")?.parse().ok()?,
        })
    }

    /// The median of each figure over `rounds` (at least one).
    pub(crate) fn median(rounds: &[Sample]) -> Sample {
        fn mid<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
            v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
            v[(v.len() - 1) / 2]
        }
        Sample {
            p50_ns: mid(rounds.iter().map(|s| s.p50_ns).collect()),
            p99_ns: mid(rounds.iter().map(|s| s.p99_ns).collect()),
            calls_per_s: mid(rounds.iter().map(|s| s.calls_per_s).collect()),
        }
    }
}

/// Prints the line [`Sample::parse`] reads: percentiles of the sorted round
/// trips (nanoseconds), and calls per second.
pub(crate) fn print_figures(sorted_round_trips: &[u64], calls_per_s: f64) {
    println!(
        "p50_ns={} p99_ns={} calls_per_s={calls_per_s:.0}",
        percentile(sorted_round_trips, 50),
        percentile(sorted_round_trips, 99),
    );
}

/// The nearest-rank percentile of sorted values.
pub(crate) fn percentile(sorted: &[u64], p: usize) -> u64 {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Nanoseconds in `elapsed`.
pub(crate) fn nanos(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
}

/// A child process, killed and reaped when dropped.
pub(crate) struct Running {
    pub(crate) child: Child,
}

impl Running {
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts programs pinned to a CPU with `taskset`, when it is installed.
pub(crate) struct Pinning {
    taskset: bool,
}

impl Pinning {
    /// Looks for `taskset` and prints the machine notes the figures need.
    pub(crate) fn detect() -> Pinning {
        let taskset = Command::new("taskset")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        machine_notes(taskset);
        Pinning { taskset }
    }

    /// `program args…`, pinned to `cpu`.
    pub(crate) fn command(
        &self,
        cpu: usize,
        program: &std::path::Path,
        args: &[String],
    ) -> Command {
        let mut command = if self.taskset {
            let mut c = Command::new("taskset");
            c.arg("-c").arg(cpu.to_string()).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.args(args);
        command
    }
}

/// Starts a server-like child (stdin piped: it ends when the driver
/// does) and waits, up to 10 s, for a line of its stdout that `ready`
/// accepts; returns the lines read so far. The rest of its output is
/// drained in the background, so that it never writes into a full pipe.
pub(crate) fn start(
    what: &str,
    mut command: Command,
    ready: fn(&str) -> bool,
) -> Result<(Running, Vec<String>), BoxError> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .env("RUST_LOG", "warn")
        .spawn()
        .map_err(|e| format!("cannot start the {what}: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let running = Running { child };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout);
        let mut seen = Vec::new();
        loop {
            let mut line = String::new();
            match std::io::BufRead::read_line(&mut lines, &mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(Err(seen));
                    return;
                }
                Ok(_) => {}
            }
            seen.push(line.trim_end().to_owned());
            if ready(&line) {
                let _ = tx.send(Ok(seen));
                break;
            }
        }
        let _ = std::io::copy(&mut lines, &mut std::io::sink());
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(lines)) => Ok((running, lines)),
        Ok(Err(lines)) => Err(format!("the {what} exited early: {lines:?}").into()),
        Err(_) => Err(format!("the {what} did not report ready within 10 s").into()),
    }
}

/// Runs a client to its end (at most `limit`) and returns what it printed.
pub(crate) fn run_to_end(
    mut command: Command,
    what: &str,
    limit: Duration,
) -> Result<String, BoxError> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut running = Running { child };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        let _ = tx.send(out);
    });
    // The reader finishes when the client exits (or is killed on drop).
    let out = rx
        .recv_timeout(limit)
        .map_err(|_| format!("{what} took longer than {limit:?}"))?;
    let status = running.child.wait()?;
    if !status.success() {
        return Err(format!("{what} failed ({status})").into());
    }
    Ok(out)
}

/// Runs a client to its end (at most `limit`) and reads its figures.
pub(crate) fn measure(command: Command, what: &str, limit: Duration) -> Result<Sample, BoxError> {
    let out = run_to_end(command, what, limit)?;
    Sample::parse(&out).ok_or_else(|| format!("unreadable output of {what}: {out:?}").into())
}

/// A comma-separated list option.
pub(crate) fn list(given: Option<&str>, default: &str) -> Vec<String> {
    given
        .unwrap_or(default)
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The load average, as `/proc/loadavg` gives it.
pub(crate) fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn machine_notes(taskset: bool) {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    println!("# machine: {cpus} CPUs, {model}");
    println!(
        "# load average before: {} (anything busy skews the figures)",
        load_average()
    );
    if !taskset {
        println!("# taskset (util-linux) not found: processes are NOT pinned");
    }
}

/// Parsed `--name value` options, for the drivers and their roles.
#[derive(Debug, Default)]
pub(crate) struct Flags {
    values: Vec<(String, String)>,
}

impl Flags {
    pub(crate) fn parse(args: &[String]) -> Result<Flags, String> {
        let mut values = Vec::new();
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let Some(name) = flag.strip_prefix("--") else {
                return Err(format!("unexpected argument `{flag}`"));
            };
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            values.push((name.to_owned(), value.clone()));
        }
        Ok(Flags { values })
    }

    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn need(&self, name: &str) -> Result<&str, String> {
        self.text(name).ok_or_else(|| format!("--{name} is needed"))
    }

    /// The number given as `--name`, or `default`.
    pub(crate) fn number(&self, name: &str, default: usize) -> Result<usize, String> {
        match self.text(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|e| format!("--{name} {v}: {e}")),
        }
    }
}

/// For a server role: exits when stdin ends (the driver died or is done)
/// or, saying so as `who`, after `limit`.
pub(crate) fn exit_with_parent(who: &'static str, limit: Duration) {
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::BufRead::read_until(&mut std::io::stdin().lock(), 0, &mut sink);
        std::process::exit(0);
    });
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("{who}: time limit reached, exiting");
        std::process::exit(3);
    });
}

/// A role's entry point, given the arguments after the role's name.
pub(crate) type Role = fn(&[String]) -> Result<(), BoxError>;

/// Runs the role the first argument names, or `driver` with every argument
/// when it names none; on an error prints `who: error` and exits with 1.
pub(crate) fn run_roles(who: &str, roles: &[(&str, Role)], driver: Role) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let role = args
        .first()
        .and_then(|name| roles.iter().find(|(role, _)| role == name));
    let outcome = match role {
        Some((_, role)) => role(&args[1..]),
        None => driver(&args),
    };
    if let Err(e) = outcome {
        eprintln!("{who}: {e}");
        std::process::exit(1);
    }
}
