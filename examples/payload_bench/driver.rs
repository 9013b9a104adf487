//! The driver: works out each call's request and response sizes, starts
//! the servers and runs every client role pinned with `taskset`, prints one
//! line per measurement, then the table of medians and the targets.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use diglot::{Client, ClientError, Connection, InProcess, Limits, Outgoing, Protocol};
use diglot_examples::calc::{Calc, CalculatorService};

use crate::harness::{self, Pinning, Running, Sample};
use crate::shm_floor::Scratch;
use crate::{BODY_LIMIT, BoxError, Flags, Kind, Plan, size_name};

const USAGE: &str = "usage: payload_bench [--rounds 5] [--sizes 1KiB,64KiB,1MiB,16MiB]
                     [--transports http,unix,shm] [--protocols json,xml] [--kinds text,bytes]
                     [--ms 150] [--min-calls 3] [--max-calls 20000] [--warmup N]
                     [--server-cpu 0] [--client-cpu 1]

Starts the calculator (examples/calc.rs) on diglot::Server, serving HTTP, a
Unix socket and shared memory, pinned to --server-cpu, and the raw floor
servers beside it. Then, --rounds times, each round in a rotated order, for
every transport, protocol, kind and size, runs one client process pinned to
--client-cpu, on a new connection, making sequential calc.echo calls:

  kinds      text: a string of ASCII text; bytes: a diglot::Bytes (base64)
  protocols  json: JSON-RPC 2.0; xml: XML-RPC
  floor      the same request and response byte counts moved raw over the
             same transport: HTTP/1.1 keep-alive and Content-Length framing
             over blocking std sockets, and a spinning shared mapping

Each measurement makes --warmup untimed calls (by default 4 MiB worth, 1 to
50), then timed calls until --min-calls are done and --ms milliseconds of
calls have passed, or --max-calls are done. It reports medians over the
rounds: p50 per call, MB/s (payload bytes each way per second, 10^6) and
the p50 over the floor's. Sizes are byte counts or N KiB / MiB, 32 MiB at
most.";

/// Every flag the driver reads.
const FLAGS: [&str; 12] = [
    "rounds",
    "sizes",
    "transports",
    "protocols",
    "kinds",
    "ms",
    "min-calls",
    "max-calls",
    "warmup",
    "server-cpu",
    "client-cpu",
    "max-seconds",
];

/// One call to measure, by diglot or by the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Case {
    transport: &'static str,
    protocol: &'static str,
    kind: Kind,
    size: usize,
}

/// Who answers: diglot, or the raw floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Diglot,
    Floor,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Diglot => "diglot",
            Side::Floor => "floor",
        }
    }
}

/// All rounds of one case on one side.
struct Row {
    case: Case,
    side: Side,
    request_bytes: usize,
    response_bytes: usize,
    samples: Vec<Sample>,
}

/// A connection that answers in-process and notes the sizes of the
/// request the client wrote and of the response: the floor's byte counts.
struct Recorder {
    inner: InProcess,
    sizes: Mutex<(usize, usize)>,
}

impl Connection for Recorder {
    fn protocol(&self) -> Protocol {
        self.inner.protocol()
    }

    fn limits(&self) -> Limits {
        self.inner.limits()
    }

    async fn exchange(&self, request: Outgoing) -> Result<Vec<u8>, ClientError> {
        let request_len = request.body.len();
        let response = self.inner.exchange(request).await?;
        *self.sizes.lock().expect("not poisoned") = (request_len, response.len());
        Ok(response)
    }
}

/// The request and response sizes of `calc.echo` of this kind and size,
/// as diglot's client and the calculator write them.
fn exchange_sizes(protocol: Protocol, kind: Kind, size: usize) -> Result<(usize, usize), BoxError> {
    let dispatcher = diglot::Dispatcher::builder()
        .service(CalculatorService::new(Calc))
        .limits(Limits::default().max_body_bytes(BODY_LIMIT))
        .build()?;
    let client = Client::new(Recorder {
        inner: InProcess::new(dispatcher, protocol),
        sizes: Mutex::new((0, 0)),
    });
    match kind {
        Kind::Text => {
            let sent = crate::text(size);
            let back: String = diglot::block_on(client.call("calc.echo", &(&sent,)))?;
            if back != sent {
                return Err("calc.echo in-process changed the text".into());
            }
        }
        Kind::Bytes => {
            let sent = crate::bytes(size);
            let back: diglot::Bytes = diglot::block_on(client.call("calc.echo", &(&sent,)))?;
            if back != sent {
                return Err("calc.echo in-process changed the bytes".into());
            }
        }
    }
    let sizes = *client.connection().sizes.lock().expect("not poisoned");
    Ok(sizes)
}

/// Picks each list item out of `known`, or says which is unknown.
fn pick(flags: &Flags, name: &str, known: &[&'static str]) -> Result<Vec<&'static str>, String> {
    let all = known.join(",");
    let items = harness::list(flags.text(name), &all);
    if items.is_empty() {
        return Err(format!("--{name} is empty"));
    }
    items
        .iter()
        .map(|item| {
            known
                .iter()
                .find(|k| *k == item)
                .copied()
                .ok_or_else(|| format!("--{name}: unknown `{item}` ({all})"))
        })
        .collect()
}

/// Untimed calls before a measurement: about 4 MiB worth, 1 to 50.
fn warmup(size: usize) -> usize {
    ((4 << 20) / size).clamp(1, 50)
}

/// The `ready http=ADDR` line's address.
fn http_addr(lines: &[String]) -> Result<String, BoxError> {
    lines
        .iter()
        .find_map(|l| l.strip_prefix("ready http="))
        .map(str::to_owned)
        .ok_or_else(|| format!("no `ready http=ADDR` line in {lines:?}").into())
}

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(());
    }
    let flags = Flags::parse(args).map_err(|e| format!("{e}\n\n{USAGE}"))?;
    for arg in args.iter().step_by(2) {
        let name = arg.trim_start_matches("--");
        if !FLAGS.contains(&name) {
            return Err(format!("unknown option `{arg}`\n\n{USAGE}").into());
        }
    }
    let rounds = flags.number("rounds", 5)?.max(1);
    let server_cpu = flags.number("server-cpu", 0)?;
    let client_cpu = flags.number("client-cpu", 1)?;
    let transports = pick(&flags, "transports", &["http", "unix", "shm"])?;
    let protocols = pick(&flags, "protocols", &["json", "xml"])?;
    let kinds = pick(&flags, "kinds", &["text", "bytes"])?
        .into_iter()
        .map(Kind::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let sizes = harness::list(flags.text("sizes"), "1KiB,64KiB,1MiB,16MiB")
        .iter()
        .map(|s| crate::parse_size(s))
        .collect::<Result<Vec<_>, _>>()?;
    if sizes.is_empty() {
        return Err("--sizes is empty".into());
    }
    let plan = Plan::from_flags(&flags)?;
    let fixed_warmup = flags.text("warmup").is_some();
    let max_seconds = flags.number("max-seconds", 1800)?;

    let pinning = Pinning::detect();
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    if server_cpu.max(client_cpu) >= cpus {
        return Err(format!("CPUs {server_cpu} and {client_cpu} are not both available").into());
    }
    let exe = std::env::current_exe()?;
    let scratch = Scratch::create("payload-bench")?;
    let at = |name: &str| scratch.dir.join(name).display().to_string();
    let began = Instant::now();

    // Each call's byte counts, in the order of the cases below.
    let mut cases = Vec::new();
    for &size in &sizes {
        for &transport in &transports {
            for &protocol in &protocols {
                for &kind in &kinds {
                    cases.push(Case {
                        transport,
                        protocol,
                        kind,
                        size,
                    });
                }
            }
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    for &case in &cases {
        let (request_bytes, response_bytes) = match rows.iter().find(|r| {
            r.case.protocol == case.protocol && r.case.kind == case.kind && r.case.size == case.size
        }) {
            Some(r) => (r.request_bytes, r.response_bytes),
            None => exchange_sizes(crate::protocol(case.protocol)?, case.kind, case.size)?,
        };
        for side in [Side::Diglot, Side::Floor] {
            rows.push(Row {
                case,
                side,
                request_bytes,
                response_bytes,
                samples: Vec::new(),
            });
        }
    }

    let max = ["--max-seconds".to_owned(), max_seconds.to_string()];
    let server_args: Vec<String> = [
        "server",
        "--http",
        "127.0.0.1:0",
        "--unix",
        &at("diglot.sock"),
        "--shm",
        &at("diglot.shm"),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain(max.clone())
    .collect();
    let (server, lines) = harness::start(
        "diglot server",
        pinning.command(server_cpu, &exe, &server_args),
        |l| l.starts_with("ready"),
    )?;
    let diglot_http = http_addr(&lines)?;
    let floor_args: Vec<String> = [
        "floor-server",
        "--http",
        "127.0.0.1:0",
        "--unix",
        &at("floor.sock"),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain(max)
    .collect();
    let (floor_server, lines) = harness::start(
        "floor server",
        pinning.command(server_cpu, &exe, &floor_args),
        |l| l.starts_with("ready"),
    )?;
    let floor_http = http_addr(&lines)?;
    println!(
        "# servers on CPU {server_cpu} (diglot pid {}, floor pid {}); clients on CPU {client_cpu}; {rounds} round(s)",
        server.pid(),
        floor_server.pid()
    );

    let limit = Duration::from_secs(120);
    let shm_file = scratch.shm_file.display().to_string();
    for round in 0..rounds {
        // Each round starts at another place in the list, so that no case
        // always runs right after the same neighbour.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.rotate_left(round * rows.len() / rounds);
        for index in order {
            let row = &rows[index];
            let case = row.case;
            let plan = Plan {
                warmup: if fixed_warmup {
                    plan.warmup
                } else {
                    warmup(case.size)
                },
                ..plan
            };
            let counts = [
                "--request-bytes".to_owned(),
                row.request_bytes.to_string(),
                "--response-bytes".to_owned(),
                row.response_bytes.to_string(),
            ];
            // The shared-memory floor's server side, for this measurement.
            let _shm_floor: Option<Running> = if row.side == Side::Floor && case.transport == "shm"
            {
                let mut args = vec![
                    "shm-floor-server".to_owned(),
                    "--file".into(),
                    shm_file.clone(),
                ];
                args.extend(counts.iter().cloned());
                let command = pinning.command(server_cpu, &exe, &args);
                Some(harness::start("shm floor server", command, |l| l.starts_with("ready"))?.0)
            } else {
                None
            };
            let mut args: Vec<String> = match row.side {
                Side::Diglot => vec![
                    "client".into(),
                    case.transport.into(),
                    case.protocol.into(),
                    case.kind.name().into(),
                    "--size".into(),
                    case.size.to_string(),
                ],
                Side::Floor => {
                    let mut a = vec!["floor-client".to_owned(), case.transport.to_owned()];
                    a.extend(counts.iter().cloned());
                    a
                }
            };
            let where_ = match (row.side, case.transport) {
                (Side::Diglot, "http") => diglot_http.clone(),
                (Side::Diglot, "unix") => at("diglot.sock"),
                (Side::Diglot, _) => at("diglot.shm"),
                (Side::Floor, "http") => floor_http.clone(),
                (Side::Floor, "unix") => at("floor.sock"),
                (Side::Floor, _) => shm_file.clone(),
            };
            args.extend(["--at".to_owned(), where_]);
            args.extend(plan.to_args());
            let what = format!(
                "the {} client ({} {} {} {})",
                row.side.name(),
                case.transport,
                case.protocol,
                case.kind.name(),
                size_name(case.size)
            );
            let sample = harness::measure(pinning.command(client_cpu, &exe, &args), &what, limit)?;
            println!(
                "transport={} protocol={} kind={} size={} side={} round={} p50_ns={} p99_ns={} calls_per_s={:.1} mb_per_s={:.1} request_bytes={} response_bytes={}",
                case.transport,
                case.protocol,
                case.kind.name(),
                case.size,
                row.side.name(),
                round + 1,
                sample.p50_ns,
                sample.p99_ns,
                sample.calls_per_s,
                sample.calls_per_s * case.size as f64 / 1e6,
                row.request_bytes,
                row.response_bytes,
            );
            rows[index].samples.push(sample);
        }
    }
    drop(server);
    drop(floor_server);
    println!(
        "# load average after: {}; wall time {:.0} s",
        harness::load_average(),
        began.elapsed().as_secs_f64()
    );
    summary(&rows, rounds);
    Ok(())
}

/// p50 as the table shows it.
fn time(ns: u64) -> String {
    if ns >= 1_000_000 {
        format!("{:.2} ms", ns as f64 / 1e6)
    } else {
        format!("{:.1} µs", ns as f64 / 1e3)
    }
}

/// A count with its thousands apart, as the guide's tables print them.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn summary(rows: &[Row], rounds: usize) {
    let median = |case: Case, side: Side| {
        rows.iter()
            .find(|r| r.case == case && r.side == side)
            .map(|r| Sample::median(&r.samples))
    };
    let mb_per_s = |case: Case, s: Sample| s.calls_per_s * case.size as f64 / 1e6;
    println!();
    println!("Medians over {rounds} round(s); MB/s is payload bytes each way per second (10^6).");
    println!();
    println!(
        "| size | transport | protocol | kind | request / response bytes | p50 | MB/s | floor p50 | floor MB/s | p50 / floor |"
    );
    println!("|---:|---|---|---|---:|---:|---:|---:|---:|---:|");
    for row in rows.iter().filter(|r| r.side == Side::Diglot) {
        let (Some(m), Some(f)) = (
            median(row.case, Side::Diglot),
            median(row.case, Side::Floor),
        ) else {
            continue;
        };
        println!(
            "| {} | {} | {} | {} | {} / {} | {} | {} | {} | {} | {:.1}× |",
            size_name(row.case.size),
            row.case.transport,
            row.case.protocol,
            row.case.kind.name(),
            grouped(row.request_bytes as u64),
            grouped(row.response_bytes as u64),
            time(m.p50_ns),
            grouped(mb_per_s(row.case, m).round() as u64),
            time(f.p50_ns),
            grouped(mb_per_s(row.case, f).round() as u64),
            m.p50_ns as f64 / f.p50_ns as f64,
        );
    }
    println!();
    println!("Targets (shared memory, calc.echo, client and server on different cores):");
    let shm_rows = |size: usize| {
        rows.iter().filter(move |r| {
            r.side == Side::Diglot && r.case.transport == "shm" && r.case.size == size
        })
    };
    let mut any = false;
    for row in shm_rows(1 << 20) {
        if let (Some(m), Some(f)) = (
            median(row.case, Side::Diglot),
            median(row.case, Side::Floor),
        ) {
            let ratio = m.p50_ns as f64 / f.p50_ns as f64;
            println!(
                "  1 MiB {} {}: p50 {} / floor {} = {ratio:.1}×, target at most 4×: {}",
                row.case.protocol,
                row.case.kind.name(),
                time(m.p50_ns),
                time(f.p50_ns),
                verdict(ratio <= 4.0)
            );
            any = true;
        }
    }
    for row in shm_rows(16 << 20) {
        if let Some(m) = median(row.case, Side::Diglot) {
            let rate = mb_per_s(row.case, m);
            println!(
                "  16 MiB {} {}: {rate:.0} MB/s each way, target at least 1000 MB/s: {}",
                row.case.protocol,
                row.case.kind.name(),
                verdict(rate >= 1000.0)
            );
            any = true;
        }
    }
    if !any {
        println!("  not measured (they need --transports with shm and --sizes with 1MiB, 16MiB)");
    }
}
