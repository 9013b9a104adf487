//! The driver: starts each server and then a client, pinned to different
//! cores, `--rounds` times interleaved, and prints the medians.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::Flags;
use crate::harness::{self, BoxError, Pinning, Running};

const HELP: &str = "\
conn_scale: server memory per idle keep-alive connection, and calc.add latency
with them open (diglot HTTP, diglot Unix socket, jsonrpsee HTTP)

options:
  --connections N   idle connections opened (10000)
  --rounds N        interleaved rounds; the table shows medians (3)
  --calls N         timed sequential calls, with none and with N open (20000)
  --sample N        idle connections called again at the end (200)
  --servers LIST    diglot-http,diglot-unix,jsonrpsee-http
  --server-cpu N    core the server is pinned to (0)
  --client-cpu N    core the client is pinned to (1)
";

/// What one round of one server measured.
#[derive(Debug, Clone, Copy, Default)]
struct Round {
    rss_before_kib: u64,
    rss_after_kib: u64,
    p50_none_ns: u64,
    p99_none_ns: u64,
    p50_idle_ns: u64,
    p99_idle_ns: u64,
    sampled: u64,
    alive: u64,
    open_ms: u64,
}

impl Round {
    fn parse(out: &str) -> Option<Round> {
        let field = |name: &str| -> Option<u64> {
            out.split_whitespace()
                .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))?
                .parse()
                .ok()
        };
        Some(Round {
            rss_before_kib: field("rss_before_kib")?,
            rss_after_kib: field("rss_after_kib")?,
            p50_none_ns: field("p50_none_ns")?,
            p99_none_ns: field("p99_none_ns")?,
            p50_idle_ns: field("p50_idle_ns")?,
            p99_idle_ns: field("p99_idle_ns")?,
            sampled: field("sampled")?,
            alive: field("alive")?,
            open_ms: field("open_ms")?,
        })
    }

    /// Bytes of server memory per idle connection.
    fn per_connection(&self, connections: usize) -> f64 {
        (self.rss_after_kib as f64 - self.rss_before_kib as f64) * 1024.0 / connections as f64
    }
}

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    let flags = Flags::parse(args)?;
    let connections = flags.number("connections", 10_000)?.max(1);
    let rounds = flags.number("rounds", 3)?.max(1);
    let calls = flags.number("calls", 20_000)?;
    let sample = flags.number("sample", 200)?;
    let servers = harness::list(
        flags.text("servers"),
        "diglot-http,diglot-unix,jsonrpsee-http",
    );
    let server_cpu = flags.number("server-cpu", 0)?;
    let client_cpu = flags.number("client-cpu", 1)?;
    // The children raise their own soft limits; this checks the hard one
    // before anything starts.
    crate::raise_open_files(connections + 64)?;

    let pinning = Pinning::detect();
    println!("# {connections} idle connections, {calls} timed calls, {rounds} rounds");
    let program = std::env::current_exe()?;
    let mut results: Vec<(String, Vec<Round>)> =
        servers.iter().map(|s| (s.clone(), Vec::new())).collect();
    for round in 1..=rounds {
        for (server, measured) in &mut results {
            let at = match server.as_str() {
                "diglot-unix" => std::env::temp_dir()
                    .join(format!("conn_scale-{}-{round}.sock", std::process::id()))
                    .display()
                    .to_string(),
                _ => "127.0.0.1:0".to_owned(),
            };
            let count = connections.to_string();
            let server_args = [
                server.clone(),
                "--at".into(),
                at,
                "--connections".into(),
                count.clone(),
            ];
            let mut command =
                pinning.command(server_cpu, &program, &prefixed("server", &server_args));
            let (running, at) = start_server(&mut command, server)?;
            let client_kind = if server == "diglot-unix" {
                "unix"
            } else {
                "http"
            };
            let client_args = [
                client_kind.to_owned(),
                "--at".into(),
                at.clone(),
                "--server-pid".into(),
                running.pid().to_string(),
                "--connections".into(),
                count,
                "--calls".into(),
                calls.to_string(),
                "--sample".into(),
                sample.to_string(),
            ];
            let command = pinning.command(client_cpu, &program, &prefixed("client", &client_args));
            let outcome = run_client(command, server, Duration::from_secs(300));
            drop(running);
            if server == "diglot-unix" {
                let _ = std::fs::remove_file(&at);
            }
            let measurement = outcome?;
            let transport = transport_of(server);
            println!(
                "server={} transport={transport} round={round} connections={connections} \
                 rss_before_kib={} rss_after_kib={} per_connection_bytes={:.0} \
                 p50_none_ns={} p99_none_ns={} p50_idle_ns={} p99_idle_ns={} \
                 sampled={} alive={} open_ms={}",
                name_of(server),
                measurement.rss_before_kib,
                measurement.rss_after_kib,
                measurement.per_connection(connections),
                measurement.p50_none_ns,
                measurement.p99_none_ns,
                measurement.p50_idle_ns,
                measurement.p99_idle_ns,
                measurement.sampled,
                measurement.alive,
                measurement.open_ms,
            );
            measured.push(measurement);
        }
    }
    println!("# load average after: {}", harness::load_average());
    table(&results, connections);
    Ok(())
}

fn prefixed(role: &str, args: &[String]) -> Vec<String> {
    std::iter::once(role.to_owned())
        .chain(args.iter().cloned())
        .collect()
}

fn name_of(server: &str) -> &str {
    server.split('-').next().unwrap_or(server)
}

fn transport_of(server: &str) -> &str {
    server.split('-').nth(1).unwrap_or(server)
}

/// Starts a server and waits (10 s at most) for its `ready WHERE` line.
fn start_server(
    command: &mut std::process::Command,
    what: &str,
) -> Result<(Running, String), BoxError> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start server {what}: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let running = Running { child };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| format!("server {what} did not get ready in 10 s"))?;
    let at = line
        .trim()
        .strip_prefix("ready ")
        .ok_or_else(|| format!("server {what} did not start: {line:?}"))?
        .to_owned();
    Ok((running, at))
}

/// Runs the client to its end (at most `limit`) and reads its line.
fn run_client(
    command: std::process::Command,
    what: &str,
    limit: Duration,
) -> Result<Round, BoxError> {
    let what = format!("the client of {what}");
    let out = harness::run_to_end(command, &what, limit)?;
    Round::parse(&out).ok_or_else(|| format!("unreadable output of {what}: {out:?}").into())
}

/// The median of one figure over the rounds.
fn median(rounds: &[Round], figure: impl Fn(&Round) -> f64) -> f64 {
    let mut values: Vec<f64> = rounds.iter().map(figure).collect();
    values.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    values[(values.len() - 1) / 2]
}

fn us(ns: f64) -> String {
    format!("{:.1}", ns / 1000.0)
}

fn table(results: &[(String, Vec<Round>)], connections: usize) {
    println!();
    println!(
        "| server | transport | idle connections | RSS per connection | p50 / p99, none (µs) | p50 / p99, {connections} open (µs) | p99 ratio | still open |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let mut medians = Vec::new();
    for (server, rounds) in results {
        let per_connection = median(rounds, |r| r.per_connection(connections));
        let p50_none = median(rounds, |r| r.p50_none_ns as f64);
        let p99_none = median(rounds, |r| r.p99_none_ns as f64);
        let p50_idle = median(rounds, |r| r.p50_idle_ns as f64);
        let p99_idle = median(rounds, |r| r.p99_idle_ns as f64);
        let sampled: u64 = rounds.iter().map(|r| r.sampled).sum();
        let alive: u64 = rounds.iter().map(|r| r.alive).sum();
        println!(
            "| {} | {} | {connections} | {:.1} KiB | {} / {} | {} / {} | {:.2}× | {alive}/{sampled} |",
            name_of(server),
            transport_of(server),
            per_connection / 1024.0,
            us(p50_none),
            us(p99_none),
            us(p50_idle),
            us(p99_idle),
            p99_idle / p99_none,
        );
        medians.push((
            server.as_str(),
            per_connection,
            p99_none,
            p99_idle,
            alive == sampled,
        ));
    }
    println!();
    let jsonrpsee = medians.iter().find(|m| m.0 == "jsonrpsee-http").copied();
    for &(server, per_connection, p99_none, p99_idle, kept) in &medians {
        if !kept {
            println!(
                "{server}: some idle connections were closed by the server; the figures above do not hold them all"
            );
        }
        let ratio = p99_idle / p99_none;
        println!(
            "{server}: p99 with {connections} open / p99 with none = {ratio:.2} (target ≤ 2: {})",
            verdict(ratio <= 2.0)
        );
        if let Some((_, j_per_connection, _, j_p99_idle, _)) =
            jsonrpsee.filter(|_| server != "jsonrpsee-http")
        {
            let memory = per_connection / j_per_connection;
            println!(
                "{server}: RSS per connection / jsonrpsee HTTP's = {memory:.2} (target ≤ 1: {}); p99 with {connections} open / jsonrpsee's = {:.2}",
                verdict(memory <= 1.0),
                p99_idle / j_p99_idle,
            );
        }
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}
