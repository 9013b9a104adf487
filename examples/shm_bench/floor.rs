//! The floor's two roles: a raw shared-memory ping-pong (see
//! `bench_harness/shm_floor.rs`) of the JSON-RPC request diglot's client
//! writes for the payload and the calculator's exact answer.

use std::time::{Duration, Instant};

use crate::shm_floor::Floor;
use crate::{BoxError, Flags, Measured, Payload, nanos, samples};

/// `floor-server --file PATH --payload P`: creates and maps the file,
/// prints `ready`, answers until the client raises the stop flag.
pub(crate) fn server(args: &[String]) -> Result<(), BoxError> {
    let flags = Flags::parse(args)?;
    let path = flags.need("file")?;
    let (request, response) = Payload::parse(flags.need("payload")?)?.exchange()?;
    let floor = Floor::create(path, request.len(), response.len())?;
    println!("ready");
    floor.serve(&request, &response)
}

/// `floor-client --file PATH --payload P [--calls N] [--warmup N]`: maps
/// the server's file and times sequential round trips.
pub(crate) fn client(args: &[String]) -> Result<(), BoxError> {
    let flags = Flags::parse(args)?;
    let path = flags.need("file")?;
    let (request, response) = Payload::parse(flags.need("payload")?)?.exchange()?;
    let warmup = flags.number("warmup", 2_000)?;
    let calls = flags.number("calls", 20_000)?.max(1);
    let floor = Floor::open(path, request.len(), response.len())?;
    let mut answer = vec![0u8; response.len()];
    let mut round_trips = samples(calls);
    let mut total = Duration::ZERO;
    let mut outcome = Ok(());
    for i in 0..warmup + calls {
        let seq = u32::try_from(i + 1)?;
        let start = Instant::now();
        if let Err(e) = floor.round_trip(seq, &request, &mut answer) {
            outcome = Err(e);
            break;
        }
        let elapsed = start.elapsed();
        if i >= warmup {
            round_trips.push(nanos(elapsed));
            total += elapsed;
        }
    }
    floor.stop();
    outcome?;
    if answer != response {
        return Err("the floor server answered other bytes than expected".into());
    }
    Measured { round_trips, total }.print();
    Ok(())
}
