//! The `client` role: one connection, `--warmup` untimed calls, then
//! `--calls` sequential calls timed one by one, all JSON-RPC.
//!
//! | transport | client |
//! |---|---|
//! | `shm` | `Client<ShmConnection>::call_blocking`, on this thread, no runtime |
//! | `unix`, `tcp` | `Client<StreamConnection>::call` on a current-thread tokio runtime |
//!
//! And the `idle-clients` role: several blocking shared-memory connections
//! that make one call each and then sit idle.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use diglot::LocalName;
use diglot::{Bytes, Client, Protocol, ShmConnection, StreamConnection};

use crate::{BoxError, Flags, Measured, Payload, nanos, samples};

/// How many calls.
struct Plan {
    payload: Payload,
    warmup: usize,
    calls: usize,
}

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    let Some((transport, rest)) = args.split_first() else {
        return Err(
            "usage: client shm|unix|tcp --at WHERE --payload P [--calls N] [--warmup N]".into(),
        );
    };
    let flags = Flags::parse(rest)?;
    let at = flags.need("at")?;
    let plan = Plan {
        payload: Payload::parse(flags.need("payload")?)?,
        warmup: flags.number("warmup", 2_000)?,
        calls: flags.number("calls", 20_000)?.max(1),
    };
    let measured = match transport.as_str() {
        "shm" => shm(&LocalName::Path(PathBuf::from(at)), &plan)?,
        "unix" | "tcp" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let connection = if transport == "tcp" {
                    let addr: SocketAddr = at.parse()?;
                    StreamConnection::tcp(addr, Protocol::JsonRpc).await?
                } else {
                    StreamConnection::local(&LocalName::Path(PathBuf::from(at)), Protocol::JsonRpc)
                        .await?
                };
                stream(Client::new(connection), &plan).await
            })?
        }
        other => return Err(format!("unknown transport `{other}`").into()),
    };
    measured.print();
    Ok(())
}

/// Checks an answer, outside the timed part of a call.
fn check(payload: Payload, sent: &Bytes, answer: &Answer) -> Result<(), BoxError> {
    match (payload, answer) {
        (Payload::Add, Answer::Sum(3)) => Ok(()),
        (Payload::Echo(_), Answer::Echo(back)) if back == sent => Ok(()),
        (_, Answer::Sum(sum)) => Err(format!("calc.add(1, 2) = {sum}").into()),
        (_, Answer::Echo(back)) => Err(format!(
            "calc.echo sent {} bytes, got {} different ones back",
            sent.len(),
            back.len()
        )
        .into()),
    }
}

enum Answer {
    Sum(i32),
    Echo(Bytes),
}

fn shm(name: &LocalName, plan: &Plan) -> Result<Measured, BoxError> {
    let client = Client::new(ShmConnection::connect_blocking(name, Protocol::JsonRpc)?);
    let sent = plan.payload.bytes();
    let mut round_trips = samples(plan.calls);
    let mut total = std::time::Duration::ZERO;
    for i in 0..plan.warmup + plan.calls {
        let start = Instant::now();
        let answer = match plan.payload {
            Payload::Add => Answer::Sum(client.call_blocking("calc.add", &(1, 2))?),
            Payload::Echo(_) => Answer::Echo(client.call_blocking("calc.echo", &(&sent,))?),
        };
        let elapsed = start.elapsed();
        check(plan.payload, &sent, &answer)?;
        if i >= plan.warmup {
            round_trips.push(nanos(elapsed));
            total += elapsed;
        }
    }
    Ok(Measured { round_trips, total })
}

async fn stream(client: Client<StreamConnection>, plan: &Plan) -> Result<Measured, BoxError> {
    let sent = plan.payload.bytes();
    let mut round_trips = samples(plan.calls);
    let mut total = std::time::Duration::ZERO;
    for i in 0..plan.warmup + plan.calls {
        let start = Instant::now();
        let answer = match plan.payload {
            Payload::Add => Answer::Sum(client.call("calc.add", &(1, 2)).await?),
            Payload::Echo(_) => Answer::Echo(client.call("calc.echo", &(&sent,)).await?),
        };
        let elapsed = start.elapsed();
        check(plan.payload, &sent, &answer)?;
        if i >= plan.warmup {
            round_trips.push(nanos(elapsed));
            total += elapsed;
        }
    }
    Ok(Measured { round_trips, total })
}

/// `idle-clients --at PATH --clients N`: connects N blocking clients, has
/// each make one call, prints `ready`, then holds the connections until
/// stdin ends (the driver closes it) or `--hold-s` seconds pass.
pub(crate) fn idle(args: &[String]) -> Result<(), BoxError> {
    let flags = Flags::parse(args)?;
    let name = LocalName::Path(PathBuf::from(flags.need("at")?));
    let count = flags.number("clients", 10)?;
    let hold = std::time::Duration::from_secs(flags.number("hold-s", 120)? as u64);
    let mut clients = Vec::with_capacity(count);
    for _ in 0..count {
        let client = Client::new(ShmConnection::connect_blocking(&name, Protocol::JsonRpc)?);
        let sum: i32 = client.call_blocking("calc.add", &(1, 2))?;
        if sum != 3 {
            return Err(format!("calc.add(1, 2) = {sum}").into());
        }
        clients.push(client);
    }
    println!("ready {count}");
    // Wait for stdin to end, but never longer than `hold`.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        let _ = tx.send(());
    });
    let _ = rx.recv_timeout(hold);
    drop(clients);
    Ok(())
}
