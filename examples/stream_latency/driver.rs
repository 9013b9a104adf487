//! The driver: starts the servers and clients pinned with `taskset`,
//! prints one line per measurement, then a summary table.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::harness::{self, Pinning, Running, Sample, measure};
use crate::{BoxError, Endpoint, Flags};

const USAGE: &str = "usage: stream_latency [--rounds 3] [--calls 20000] [--warmup 2000]
                      [--depth 64] [--batches 500] [--server-cpu 0] [--client-cpu 1]
                      [--transports unix,tcp] [--placements same-core,cross-core]
                      [--server-runtime multi|current]

For each placement (server and client pinned to the same core, or to two
cores) and transport, starts two diglot calculator servers (the default
stream settings, and every connection as an async task), a floor server (a raw blocking
echo of the same bytes) and the same echo on tokio sockets, then runs every
client kind against them --rounds times, interleaved:

  floor-jsonlines          blocking client, JSON line        -> floor
  tokio-jsonlines          blocking client, JSON line        -> the floor's echo on tokio
  diglot-jsonlines         blocking client, JSON line        -> diglot
  tasks-jsonlines          blocking client, JSON line        -> diglot, connections as tasks
  floor-content-length     blocking client, Content-Length   -> floor
  diglot-content-length    blocking client, Content-Length   -> diglot
  tasks-content-length     blocking client, Content-Length   -> diglot, connections as tasks
  diglot-client            diglot::StreamConnection (Content-Length) -> diglot
  tasks-client             diglot::StreamConnection (Content-Length) -> diglot, connections as tasks

Each client: --warmup calls, then --calls sequential calls timed one by one
(p50, p99), then --batches of --depth calls in flight (calls/s).";

/// One client kind against one server kind.
struct Kind {
    name: &'static str,
    client: &'static str,
    server: &'static str,
    /// The kind whose p50 is this one's floor.
    floor: &'static str,
}

const KINDS: [Kind; 9] = [
    Kind {
        name: "floor-jsonlines",
        client: "lines",
        server: "floor",
        floor: "floor-jsonlines",
    },
    Kind {
        name: "tokio-jsonlines",
        client: "lines",
        server: "tokio",
        floor: "floor-jsonlines",
    },
    Kind {
        name: "diglot-jsonlines",
        client: "lines",
        server: "diglot",
        floor: "floor-jsonlines",
    },
    Kind {
        name: "tasks-jsonlines",
        client: "lines",
        server: "tasks",
        floor: "floor-jsonlines",
    },
    Kind {
        name: "floor-content-length",
        client: "content-length",
        server: "floor",
        floor: "floor-content-length",
    },
    Kind {
        name: "diglot-content-length",
        client: "content-length",
        server: "diglot",
        floor: "floor-content-length",
    },
    Kind {
        name: "tasks-content-length",
        client: "content-length",
        server: "tasks",
        floor: "floor-content-length",
    },
    Kind {
        name: "diglot-client",
        client: "diglot",
        server: "diglot",
        floor: "floor-content-length",
    },
    Kind {
        name: "tasks-client",
        client: "diglot",
        server: "tasks",
        floor: "floor-content-length",
    },
];

/// All rounds of one kind on one transport and placement.
struct Row {
    transport: &'static str,
    placement: &'static str,
    kind: &'static str,
    floor: &'static str,
    samples: Vec<Sample>,
}

impl Row {
    /// The median of each figure over the rounds.
    fn median(&self) -> Sample {
        Sample::median(&self.samples)
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How to start this binary pinned to a CPU.
struct Launcher {
    exe: PathBuf,
    pinning: Pinning,
}

impl Launcher {
    fn command(&self, cpu: usize, args: &[String]) -> Command {
        self.pinning.command(cpu, &self.exe, args)
    }

    /// Starts a server and waits (up to 10 s) for the endpoint it reports.
    fn server(
        &self,
        cpu: usize,
        kind: &str,
        endpoint: &Endpoint,
        runtime: &str,
    ) -> Result<(Running, Endpoint), BoxError> {
        let mut args = vec!["server".to_owned(), kind.to_owned()];
        args.extend(endpoint.to_args());
        args.extend(["--runtime".to_owned(), runtime.to_owned()]);
        let mut child = self
            .command(cpu, &args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the {kind} server: {e}"))?;
        let stdout = child.stdout.take().expect("piped");
        let running = Running { child };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout);
            let mut line = String::new();
            let _ = lines.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining, so that the server never writes into a closed pipe.
            let _ = std::io::copy(&mut lines, &mut std::io::sink());
        });
        let line = rx
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| format!("the {kind} server did not report ready within 10 s"))?;
        let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        let bound = match words.as_slice() {
            [ready, rest @ ..] if ready == "ready" => Flags::parse(rest)?.endpoint()?,
            _ => return Err(format!("the {kind} server failed to start ({line:?})").into()),
        };
        Ok((running, bound))
    }

    /// Runs a client to completion (at most `limit`) and reads its figures.
    fn client(
        &self,
        cpu: usize,
        kind: &str,
        endpoint: &Endpoint,
        options: &[String],
        limit: Duration,
    ) -> Result<Sample, BoxError> {
        let mut args = vec!["client".to_owned(), kind.to_owned()];
        args.extend(endpoint.to_args());
        args.extend(options.iter().cloned());
        measure(
            self.command(cpu, &args),
            &format!("the {kind} client"),
            limit,
        )
    }
}

fn list(flags: &Flags, name: &str, default: &str) -> Vec<String> {
    harness::list(flags.text(name), default)
}

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(());
    }
    let flags = Flags::parse(args).map_err(|e| format!("{e}\n\n{USAGE}"))?;
    let rounds = flags.number("rounds", 3)?.max(1);
    let server_cpu = flags.number("server-cpu", 0)?;
    let client_cpu = flags.number("client-cpu", 1)?;
    let runtime = flags.text("server-runtime").unwrap_or("multi").to_owned();
    let transports = list(&flags, "transports", "unix,tcp");
    let placements = list(&flags, "placements", "same-core,cross-core");
    let mut client_options = Vec::new();
    for name in ["calls", "warmup", "depth", "batches"] {
        if let Some(v) = flags.text(name) {
            client_options.extend([format!("--{name}"), v.to_owned()]);
        }
    }

    let pinning = Pinning::detect();
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let launcher = Launcher {
        exe: std::env::current_exe()?,
        pinning,
    };
    let dir =
        TempDir(std::env::temp_dir().join(format!("diglot-stream-latency-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0)?;
    let limit = Duration::from_secs(300);
    println!(
        "# server runtime: {runtime}; {rounds} round(s); framing of diglot-client: Content-Length"
    );

    let mut rows: Vec<Row> = Vec::new();
    for placement in &placements {
        let (placement, cpus_used): (&'static str, (usize, usize)) = match placement.as_str() {
            "same-core" => ("same-core", (server_cpu, server_cpu)),
            "cross-core" => ("cross-core", (server_cpu, client_cpu)),
            other => return Err(format!("unknown placement `{other}`").into()),
        };
        if cpus_used.0.max(cpus_used.1) >= cpus {
            println!("# {placement}: skipped, CPU {cpus_used:?} not available");
            continue;
        }
        for transport in &transports {
            let (transport, at): (&'static str, fn(&str) -> Endpoint) = match transport.as_str() {
                "unix" => ("unix", |name| Endpoint::Unix(PathBuf::from(name))),
                "tcp" => ("tcp", |_| {
                    Endpoint::Tcp("127.0.0.1:0".parse().expect("an address"))
                }),
                other => return Err(format!("unknown transport `{other}`").into()),
            };
            let socket = |name: &str| at(&dir.0.join(name).display().to_string());
            let [diglot_at, floor_at, tokio_at, tasks_at] =
                ["diglot", "floor", "tokio", "tasks"].map(|name| socket(&format!("{name}.sock")));
            let (_diglot, diglot_at) =
                launcher.server(cpus_used.0, "diglot", &diglot_at, &runtime)?;
            let (_floor, floor_at) = launcher.server(cpus_used.0, "floor", &floor_at, &runtime)?;
            let (_tokio, tokio_at) = launcher.server(cpus_used.0, "tokio", &tokio_at, &runtime)?;
            let (_tasks, tasks_at) = launcher.server(cpus_used.0, "tasks", &tasks_at, &runtime)?;
            for round in 1..=rounds {
                for kind in &KINDS {
                    let at = match kind.server {
                        "floor" => &floor_at,
                        "tokio" => &tokio_at,
                        "tasks" => &tasks_at,
                        _ => &diglot_at,
                    };
                    let sample =
                        launcher.client(cpus_used.1, kind.client, at, &client_options, limit)?;
                    println!(
                        "transport={transport} kind={} placement={placement} round={round} p50_ns={} p99_ns={} calls_per_s={:.0}",
                        kind.name, sample.p50_ns, sample.p99_ns, sample.calls_per_s
                    );
                    match rows.iter_mut().find(|r| {
                        r.transport == transport && r.placement == placement && r.kind == kind.name
                    }) {
                        Some(row) => row.samples.push(sample),
                        None => rows.push(Row {
                            transport,
                            placement,
                            kind: kind.name,
                            floor: kind.floor,
                            samples: vec![sample],
                        }),
                    }
                }
            }
        }
    }
    summary(&rows, rounds);
    Ok(())
}

fn summary(rows: &[Row], rounds: usize) {
    let median = |transport: &str, placement: &str, kind: &str| {
        rows.iter()
            .find(|r| r.transport == transport && r.placement == placement && r.kind == kind)
            .map(Row::median)
    };
    println!();
    if rounds > 1 {
        println!("Medians over {rounds} rounds.");
        println!();
    }
    println!(
        "| transport | placement | kind | p50 | p99 | p50 / floor | calls/s, 64 in flight | calls/s / floor |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|");
    for row in rows {
        let m = row.median();
        let floor = median(row.transport, row.placement, row.floor).unwrap_or(m);
        println!(
            "| {} | {} | {} | {:.2} µs | {:.2} µs | {:.2}× | {:.0} | {:.2}× |",
            row.transport,
            row.placement,
            row.kind,
            m.p50_ns as f64 / 1e3,
            m.p99_ns as f64 / 1e3,
            m.p50_ns as f64 / floor.p50_ns as f64,
            m.calls_per_s,
            m.calls_per_s / floor.calls_per_s,
        );
    }
    println!();
    println!(
        "Target: diglot's p50, default settings, within 1.3× of the floor (same client, same bytes)."
    );
    let measured = ["diglot-jsonlines"];
    for row in rows.iter().filter(|r| measured.contains(&r.kind)) {
        let Some(floor) = median(row.transport, row.placement, row.floor) else {
            continue;
        };
        let ratio = row.median().p50_ns as f64 / floor.p50_ns as f64;
        println!(
            "  {} {}: {} p50 = {ratio:.2}× floor — {}",
            row.transport,
            row.placement,
            row.kind,
            if ratio <= 1.3 { "met" } else { "missed" }
        );
    }
}
