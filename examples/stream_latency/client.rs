//! The `client` role: one connection, `--warmup` untimed calls, `--calls`
//! sequential calls timed one by one, then `--batches` rounds of `--depth`
//! calls in flight at once. Prints `p50_ns=… p99_ns=… calls_per_s=…`.
//!
//! | kind | client | request |
//! |---|---|---|
//! | `lines` | blocking std socket | [`LINE_REQUEST`], the exact same bytes every call |
//! | `content-length` | blocking std socket | [`CL_REQUEST`], the exact same bytes every call |
//! | `diglot` | `StreamConnection` + `CalculatorClient` on a current-thread runtime | `Content-Length` framing, a new id per call |
//!
//! The raw clients check every answer byte for byte against diglot's; the
//! same client code runs against diglot and against the floor.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diglot::LocalName;
use diglot::{Protocol, StreamConnection};
use diglot_examples::calc::CalculatorClient;

use crate::harness::{nanos, print_figures};
use crate::{BoxError, CL_REQUEST, CL_RESPONSE, Endpoint, Flags, LINE_REQUEST, LINE_RESPONSE};

/// How long any single exchange may take before the client gives up.
const STALL: Duration = Duration::from_secs(10);

/// What one client run measured.
struct Measured {
    /// Sequential round trips, nanoseconds, sorted.
    round_trips: Vec<u64>,
    calls_per_s: f64,
}

/// How many calls and how many in flight.
struct Plan {
    warmup: usize,
    calls: usize,
    depth: usize,
    batches: usize,
}

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    let Some((kind, rest)) = args.split_first() else {
        return Err("usage: client lines|content-length|diglot (--tcp ADDR | --unix PATH)".into());
    };
    let flags = Flags::parse(rest)?;
    let endpoint = flags.endpoint()?;
    let plan = Plan {
        warmup: flags.number("warmup", 2_000)?,
        calls: flags.number("calls", 20_000)?.max(1),
        depth: flags.number("depth", 64)?.max(1),
        batches: flags.number("batches", 500)?.max(1),
    };
    let mut measured = match kind.as_str() {
        "lines" => raw(&endpoint, LINE_REQUEST, LINE_RESPONSE, &plan)?,
        "content-length" => raw(&endpoint, CL_REQUEST, CL_RESPONSE, &plan)?,
        "diglot" => diglot(&endpoint, &plan)?,
        other => return Err(format!("unknown client `{other}`").into()),
    };
    measured.round_trips.sort_unstable();
    print_figures(&measured.round_trips, measured.calls_per_s);
    Ok(())
}

/// A blocking socket client sending `request` and expecting `response`.
fn raw(
    endpoint: &Endpoint,
    request: &[u8],
    response: &[u8],
    plan: &Plan,
) -> Result<Measured, BoxError> {
    match endpoint {
        Endpoint::Tcp(addr) => {
            let stream = std::net::TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(STALL))?;
            stream.set_write_timeout(Some(STALL))?;
            ping_pong(stream, request, response, plan)
        }
        Endpoint::Unix(path) => {
            let stream = std::os::unix::net::UnixStream::connect(path)?;
            stream.set_read_timeout(Some(STALL))?;
            stream.set_write_timeout(Some(STALL))?;
            ping_pong(stream, request, response, plan)
        }
    }
}

fn ping_pong<S: Read + Write>(
    mut stream: S,
    request: &[u8],
    response: &[u8],
    plan: &Plan,
) -> Result<Measured, BoxError> {
    let wrong = |got: &[u8]| -> BoxError {
        format!(
            "unexpected answer {:?}, expected {:?}",
            String::from_utf8_lossy(got),
            String::from_utf8_lossy(response)
        )
        .into()
    };
    let mut answer = vec![0_u8; response.len()];
    let mut round_trips = Vec::with_capacity(plan.calls);
    for i in 0..plan.warmup + plan.calls {
        let start = Instant::now();
        stream.write_all(request)?;
        stream.read_exact(&mut answer)?;
        let elapsed = start.elapsed();
        if answer != response {
            return Err(wrong(&answer));
        }
        if i >= plan.warmup {
            round_trips.push(nanos(elapsed));
        }
    }

    let requests = request.repeat(plan.depth);
    let expected = response.repeat(plan.depth);
    let mut answers = vec![0_u8; expected.len()];
    let mut batch = |stream: &mut S| -> Result<(), BoxError> {
        stream.write_all(&requests)?;
        stream.read_exact(&mut answers)?;
        if answers != expected {
            return Err(wrong(&answers));
        }
        Ok(())
    };
    for _ in 0..plan.batches / 10 {
        batch(&mut stream)?;
    }
    let start = Instant::now();
    for _ in 0..plan.batches {
        batch(&mut stream)?;
    }
    let elapsed = start.elapsed();
    Ok(Measured {
        round_trips,
        calls_per_s: (plan.batches * plan.depth) as f64 / elapsed.as_secs_f64(),
    })
}

/// diglot's own client: `StreamConnection` (`Content-Length` framing) and
/// the generated `CalculatorClient`, on a current-thread runtime.
fn diglot(endpoint: &Endpoint, plan: &Plan) -> Result<Measured, BoxError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // No timer here: a pending one costs every park of the runtime a look at
    // the timer wheel. The driver kills a client that takes too long.
    runtime.block_on(diglot_calls(endpoint, plan))
}

async fn diglot_calls(endpoint: &Endpoint, plan: &Plan) -> Result<Measured, BoxError> {
    let connection = match endpoint {
        Endpoint::Tcp(addr) => StreamConnection::tcp(*addr, Protocol::JsonRpc).await?,
        Endpoint::Unix(path) => {
            StreamConnection::local(&LocalName::Path(path.clone()), Protocol::JsonRpc).await?
        }
    };
    let client = Arc::new(CalculatorClient::new(connection));
    let mut round_trips = Vec::with_capacity(plan.calls);
    for i in 0..plan.warmup + plan.calls {
        let start = Instant::now();
        let sum = client.add(1, 2).await?;
        let elapsed = start.elapsed();
        if sum != 3 {
            return Err(format!("calc.add(1, 2) = {sum}").into());
        }
        if i >= plan.warmup {
            round_trips.push(nanos(elapsed));
        }
    }

    let batch = || async {
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..plan.depth {
            let client = client.clone();
            calls.spawn(async move { client.add(1, 2).await });
        }
        while let Some(sum) = calls.join_next().await {
            let sum = sum??;
            if sum != 3 {
                return Err(format!("calc.add(1, 2) = {sum}").into());
            }
        }
        Ok::<(), BoxError>(())
    };
    for _ in 0..plan.batches / 10 {
        batch().await?;
    }
    let start = Instant::now();
    for _ in 0..plan.batches {
        batch().await?;
    }
    let elapsed = start.elapsed();
    Ok(Measured {
        round_trips,
        calls_per_s: (plan.batches * plan.depth) as f64 / elapsed.as_secs_f64(),
    })
}
