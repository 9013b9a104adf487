//! The driver: starts the calculator and this binary's roles pinned with
//! `taskset`, prints one line per measurement, then the idle cost and a
//! summary against the targets.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{self, Pinning, Sample, measure};
use crate::shm_floor::Scratch;
use crate::{BoxError, Flags, Payload};

const USAGE: &str = "usage: shm_bench [--rounds 3] [--calls 20000] [--payloads add,1KiB,64KiB,1MiB]
                 [--transports floor,shm,unix,tcp] [--server-cpu 0] [--client-cpu 1]
                 [--idle-clients 10] [--idle-s 10] [--calculator PATH]

Starts the calculator example (target/release/examples/calculator, beside
this binary, or --calculator) pinned to --server-cpu, serving --shm, --unix
and --tcp at temporary paths and a free port. Then, --rounds times,
interleaved, for each payload and transport, runs one client process pinned
to --client-cpu, on a new connection, making sequential JSON-RPC calls:

  floor  a raw shared-memory spin ping-pong of the same request and
         response bytes between two processes (the server side pinned to
         --server-cpu)
  shm    Client<ShmConnection>::call_blocking (no runtime)
  unix   Client<StreamConnection> over the Unix socket, current-thread tokio
  tcp    Client<StreamConnection> over loopback TCP, current-thread tokio

Payloads: `add` is calc.add(1, 2); the others are calc.echo of a
diglot::Bytes of that size (base64 in JSON). `add` and `1KiB` make --calls
timed calls after --calls/10 untimed ones, `64KiB` a quarter of that and
`1MiB` a fortieth.

Last, the idle cost: a fresh calculator serving only --shm, --idle-clients
blocking clients that each make one call and then sit idle, and the
server's CPU time (utime + stime from /proc/PID/stat) over --idle-s seconds.";

/// All rounds of one transport and payload.
struct Row {
    transport: String,
    payload: String,
    request_bytes: usize,
    response_bytes: usize,
    samples: Vec<Sample>,
}

impl Row {
    /// The median of each figure over the rounds.
    fn median(&self) -> Sample {
        Sample::median(&self.samples)
    }
}

/// How to start a program pinned to a CPU.
struct Launcher {
    exe: PathBuf,
    calculator: PathBuf,
    pinning: Pinning,
}

impl Launcher {
    fn command(&self, cpu: usize, program: &Path, args: &[String]) -> Command {
        self.pinning.command(cpu, program, args)
    }

    /// Runs one role of this binary to its end (at most `limit`) and
    /// reads its `p50_ns=… p99_ns=… calls_per_s=…` line.
    fn measure(&self, cpu: usize, args: &[String], limit: Duration) -> Result<Sample, BoxError> {
        measure(
            self.command(cpu, &self.exe, args),
            &format!("{args:?}"),
            limit,
        )
    }
}

fn list(flags: &Flags, name: &str, default: &str) -> Vec<String> {
    harness::list(flags.text(name), default)
}

fn find_calculator(flags: &Flags, exe: &Path) -> Result<PathBuf, BoxError> {
    let path = match flags.text("calculator") {
        Some(path) => PathBuf::from(path),
        None => exe.with_file_name("calculator"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "no calculator at {}: build it first with\n  cargo build --release -p diglot-examples --example calculator --example shm_bench\nor pass --calculator PATH",
            path.display()
        )
        .into())
    }
}

/// Timed and untimed calls for `payload`, from the `--calls` for small
/// messages.
fn plan(payload: Payload, calls: usize) -> (usize, usize) {
    let calls = match payload {
        Payload::Echo(n) if n >= 1 << 20 => calls / 40,
        Payload::Echo(n) if n >= 32 << 10 => calls / 4,
        _ => calls,
    }
    .max(10);
    (calls, calls / 10)
}

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(());
    }
    let flags = Flags::parse(args).map_err(|e| format!("{e}\n\n{USAGE}"))?;
    let rounds = flags.number("rounds", 3)?.max(1);
    let calls = flags.number("calls", 20_000)?;
    let server_cpu = flags.number("server-cpu", 0)?;
    let client_cpu = flags.number("client-cpu", 1)?;
    let idle_clients = flags.number("idle-clients", 10)?;
    let idle_s = flags.number("idle-s", 10)?.max(1);
    let payloads = list(&flags, "payloads", "add,1KiB,64KiB,1MiB")
        .iter()
        .map(|p| Payload::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let transports = list(&flags, "transports", "floor,shm,unix,tcp");
    for t in &transports {
        if !["floor", "shm", "unix", "tcp"].contains(&t.as_str()) {
            return Err(format!("unknown transport `{t}`").into());
        }
    }

    let pinning = Pinning::detect();
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    if server_cpu.max(client_cpu) >= cpus {
        return Err(format!("CPUs {server_cpu} and {client_cpu} are not both available").into());
    }
    let exe = std::env::current_exe()?;
    let launcher = Launcher {
        calculator: find_calculator(&flags, &exe)?,
        exe,
        pinning,
    };
    let scratch = Scratch::create("shm-bench")?;
    let shm_at = scratch.dir.join("calc.shm").display().to_string();
    let unix_at = scratch.dir.join("calc.sock").display().to_string();

    let (server, lines) = harness::start(
        "calculator",
        launcher.command(
            server_cpu,
            &launcher.calculator,
            &[
                "--shm".into(),
                shm_at.clone(),
                "--unix".into(),
                unix_at.clone(),
                "--tcp".into(),
                "127.0.0.1:0".into(),
            ],
        ),
        |line| line.starts_with("Ctrl-C"),
    )?;
    let tcp_at = lines
        .iter()
        .find_map(|l| l.strip_prefix("calculator: raw TCP on ")?.split(' ').next())
        .ok_or_else(|| format!("the calculator did not say its TCP port: {lines:?}"))?
        .to_owned();
    println!(
        "# server: {} (pid {}) on CPU {server_cpu}; clients on CPU {client_cpu}; JSON-RPC; {rounds} round(s)",
        launcher.calculator.display(),
        server.pid()
    );

    let limit = Duration::from_secs(300);
    let mut rows: Vec<Row> = Vec::new();
    for round in 1..=rounds {
        for &payload in &payloads {
            let (timed, warmup) = plan(payload, calls);
            let (request, response) = payload.exchange()?;
            for transport in &transports {
                let file = scratch.shm_file.display().to_string();
                // The floor's server side, for this measurement only.
                let _floor = if transport == "floor" {
                    let server_args = [
                        "floor-server".into(),
                        "--file".into(),
                        file.clone(),
                        "--payload".into(),
                        payload.name(),
                    ];
                    let command = launcher.command(server_cpu, &launcher.exe, &server_args);
                    let (floor, _) =
                        harness::start("floor server", command, |l| l.starts_with("ready"))?;
                    Some(floor)
                } else {
                    None
                };
                let (role, at) = match transport.as_str() {
                    "floor" => (vec!["floor-client", "--file"], file),
                    "shm" => (vec!["client", "shm", "--at"], shm_at.clone()),
                    "unix" => (vec!["client", "unix", "--at"], unix_at.clone()),
                    _ => (vec!["client", "tcp", "--at"], tcp_at.clone()),
                };
                let mut args: Vec<String> = role.into_iter().map(str::to_owned).collect();
                args.push(at);
                args.extend([
                    "--payload".into(),
                    payload.name(),
                    "--calls".into(),
                    timed.to_string(),
                    "--warmup".into(),
                    warmup.to_string(),
                ]);
                let sample = launcher.measure(client_cpu, &args, limit)?;
                println!(
                    "transport={transport} payload={} p50_ns={} p99_ns={} calls_per_s={:.0} round={round} request_bytes={} response_bytes={}",
                    payload.name(),
                    sample.p50_ns,
                    sample.p99_ns,
                    sample.calls_per_s,
                    request.len(),
                    response.len(),
                );
                match rows
                    .iter_mut()
                    .find(|r| &r.transport == transport && r.payload == payload.name())
                {
                    Some(row) => row.samples.push(sample),
                    None => rows.push(Row {
                        transport: transport.clone(),
                        payload: payload.name(),
                        request_bytes: request.len(),
                        response_bytes: response.len(),
                        samples: vec![sample],
                    }),
                }
            }
        }
    }
    drop(server);
    println!(
        "# load average after the latency runs: {}",
        harness::load_average()
    );

    let idle = if idle_clients > 0 {
        Some(idle_cost(
            &launcher,
            &scratch,
            server_cpu,
            client_cpu,
            idle_clients,
            idle_s,
        )?)
    } else {
        None
    };
    summary(&rows, rounds, idle.as_ref());
    Ok(())
}

/// CPU time of a process: (utime + stime in clock ticks, from
/// `/proc/PID/stat`; the sum of its threads' run time in nanoseconds, from
/// `/proc/PID/task/*/schedstat`; its thread count).
fn cpu_time(pid: u32) -> Result<(u64, u64, usize), BoxError> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces: fields are counted after its ')'.
    let after = stat.rsplit_once(')').ok_or("unreadable /proc/PID/stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of the file (utime, stime); `after` starts at 3.
    let ticks = fields.get(11).ok_or("short stat")?.parse::<u64>()?
        + fields.get(12).ok_or("short stat")?.parse::<u64>()?;
    let mut ns = 0;
    let mut threads = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let path = task?.path().join("schedstat");
        if let Ok(text) = std::fs::read_to_string(path) {
            threads += 1;
            ns += text
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Ok((ticks, ns, threads))
}

/// What the idle measurement found.
struct Idle {
    clients: usize,
    seconds: f64,
    server_threads: usize,
    /// Percent of one core, from utime + stime.
    server_stat: f64,
    /// Percent of one core, from the threads' schedstat.
    server_sched: f64,
    clients_stat: f64,
}

fn idle_cost(
    launcher: &Launcher,
    scratch: &Scratch,
    server_cpu: usize,
    client_cpu: usize,
    clients: usize,
    seconds: usize,
) -> Result<Idle, BoxError> {
    let at = scratch.dir.join("idle.shm").display().to_string();
    let (server, _) = harness::start(
        "idle calculator",
        launcher.command(
            server_cpu,
            &launcher.calculator,
            &["--shm".into(), at.clone()],
        ),
        |line| line.starts_with("Ctrl-C"),
    )?;
    let args = [
        "idle-clients".to_owned(),
        "--at".into(),
        at,
        "--clients".into(),
        clients.to_string(),
    ];
    let (idlers, _) = harness::start(
        "idle clients",
        launcher.command(client_cpu, &launcher.exe, &args),
        |line| line.starts_with("ready"),
    )?;
    // Let every connection's spin run out and its budget settle.
    std::thread::sleep(Duration::from_secs(1));
    let ticks_per_s = rustix::param::clock_ticks_per_second() as f64;
    let (s_ticks0, s_ns0, _) = cpu_time(server.pid())?;
    let (c_ticks0, _, _) = cpu_time(idlers.pid())?;
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds as u64));
    let (s_ticks1, s_ns1, server_threads) = cpu_time(server.pid())?;
    let (c_ticks1, _, _) = cpu_time(idlers.pid())?;
    let elapsed = start.elapsed().as_secs_f64();
    let percent_ticks = |t0: u64, t1: u64| 100.0 * (t1 - t0) as f64 / ticks_per_s / elapsed;
    let idle = Idle {
        clients,
        seconds: elapsed,
        server_threads,
        server_stat: percent_ticks(s_ticks0, s_ticks1),
        server_sched: 100.0 * (s_ns1 - s_ns0) as f64 / 1e9 / elapsed,
        clients_stat: percent_ticks(c_ticks0, c_ticks1),
    };
    println!(
        "idle server_cpu_percent={:.3} server_cpu_percent_schedstat={:.3} clients={} seconds={:.1} server_threads={} clients_cpu_percent={:.3}",
        idle.server_stat,
        idle.server_sched,
        idle.clients,
        idle.seconds,
        idle.server_threads,
        idle.clients_stat,
    );
    drop(idlers);
    drop(server);
    Ok(idle)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn summary(rows: &[Row], rounds: usize, idle: Option<&Idle>) {
    let median = |transport: &str, payload: &str| {
        rows.iter()
            .find(|r| r.transport == transport && r.payload == payload)
            .map(Row::median)
    };
    let us = |ns: u64| ns as f64 / 1e3;
    println!();
    if rounds > 1 {
        println!("Medians over {rounds} rounds.");
        println!();
    }
    println!(
        "| payload | request / response bytes | transport | p50 | p99 | calls/s | p50 / floor | p50 / shm |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    for row in rows {
        let m = row.median();
        let ratio = |other: Option<Sample>| {
            other.map_or_else(
                || "–".to_owned(),
                |o| format!("{:.1}×", m.p50_ns as f64 / o.p50_ns as f64),
            )
        };
        println!(
            "| {} | {} / {} | {} | {:.2} µs | {:.2} µs | {:.0} | {} | {} |",
            row.payload,
            row.request_bytes,
            row.response_bytes,
            row.transport,
            us(m.p50_ns),
            us(m.p99_ns),
            m.calls_per_s,
            ratio(median("floor", &row.payload)),
            ratio(median("shm", &row.payload)),
        );
    }
    println!();
    println!("Targets (calc.add, client and server on different cores):");
    if let Some(shm) = median("shm", "add") {
        println!(
            "  shm p50 = {:.2} µs, target at most 1.5 µs: {}",
            us(shm.p50_ns),
            verdict(shm.p50_ns <= 1_500)
        );
        if let Some(unix) = median("unix", "add") {
            let ratio = unix.p50_ns as f64 / shm.p50_ns as f64;
            println!(
                "  unix p50 / shm p50 = {:.2} µs / {:.2} µs = {ratio:.1}×, target at least 30×: {}",
                us(unix.p50_ns),
                us(shm.p50_ns),
                verdict(ratio >= 30.0)
            );
        }
        if let Some(floor) = median("floor", "add") {
            let ratio = shm.p50_ns as f64 / floor.p50_ns as f64;
            println!(
                "  shm p50 / floor p50 = {:.2} µs / {:.2} µs = {ratio:.1}×, target at most 4×: {}",
                us(shm.p50_ns),
                us(floor.p50_ns),
                verdict(ratio <= 4.0)
            );
        }
    }
    if let Some(idle) = idle {
        println!(
            "  idle: {} connected idle clients cost the server {:.3}% of a core over {:.1} s (utime+stime; {:.3}% by schedstat), target at most 1%: {}",
            idle.clients,
            idle.server_stat,
            idle.seconds,
            idle.server_sched,
            verdict(idle.server_stat.max(idle.server_sched) <= 1.0)
        );
    }
}
