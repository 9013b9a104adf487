//! The `client` role: one connection, sequential `calc.echo` calls with
//! diglot's dynamic client, each timed from encoding the request to
//! decoding the answer. The answer is checked after the clock stops.
//!
//! | transport | client |
//! |---|---|
//! | `http` | `Client<HttpConnection>` (hyper, keep-alive) on a current-thread tokio runtime |
//! | `unix` | `Client<StreamConnection>` (`Content-Length` framing), the same |
//! | `shm` | `Client<ShmConnection>::call_blocking`, on this thread, no runtime |

use std::path::PathBuf;
use std::time::Instant;

use diglot::{
    Bytes, Client, Connection, HttpConnection, Limits, LocalName, ShmConfig, ShmConnection,
    StreamConnection,
};

use crate::{BODY_LIMIT, BoxError, Flags, Kind, Plan, Timing};

const USAGE: &str = "usage: client http|unix|shm json|xml text|bytes --at WHERE --size N \
                     [--warmup N] [--min-calls N] [--max-calls N] [--ms N]";

/// What is sent, kept to check what comes back.
enum Sent {
    Text(String),
    Bytes(Bytes),
}

impl Sent {
    fn new(kind: Kind, size: usize) -> Sent {
        match kind {
            Kind::Text => Sent::Text(crate::text(size)),
            Kind::Bytes => Sent::Bytes(crate::bytes(size)),
        }
    }
}

/// What came back.
enum Echoed {
    Text(String),
    Bytes(Bytes),
}

fn check(sent: &Sent, echoed: &Echoed) -> Result<(), BoxError> {
    let same = match (sent, echoed) {
        (Sent::Text(a), Echoed::Text(b)) => a == b,
        (Sent::Bytes(a), Echoed::Bytes(b)) => a == b,
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err("calc.echo answered something other than what was sent".into())
    }
}

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    let [transport, protocol, kind, rest @ ..] = args else {
        return Err(USAGE.into());
    };
    let protocol = crate::protocol(protocol)?;
    let flags = Flags::parse(rest)?;
    let sent = Sent::new(Kind::parse(kind)?, crate::parse_size(flags.need("size")?)?);
    let at = flags.need("at")?;
    let plan = Plan::from_flags(&flags)?;
    let limits = Limits::default().max_body_bytes(BODY_LIMIT);
    let timing = match transport.as_str() {
        "shm" => {
            let config = ShmConfig::default().max_response_bytes(BODY_LIMIT);
            let name = LocalName::Path(PathBuf::from(at));
            let client = Client::new(ShmConnection::connect_blocking_with(
                &name, protocol, config,
            )?);
            shm(&client, &sent, plan)?
        }
        "http" | "unix" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                if transport == "http" {
                    let url = format!("http://{at}/RPC2");
                    let connection = HttpConnection::new(&url, protocol)?.limits(limits);
                    stream(&Client::new(connection), &sent, plan).await
                } else {
                    let name = LocalName::Path(PathBuf::from(at));
                    let connection = StreamConnection::local_with(&name, protocol, limits).await?;
                    stream(&Client::new(connection), &sent, plan).await
                }
            })?
        }
        other => return Err(format!("unknown transport `{other}` (http, unix or shm)").into()),
    };
    timing.print();
    Ok(())
}

fn shm(client: &Client<ShmConnection>, sent: &Sent, plan: Plan) -> Result<Timing, BoxError> {
    let mut timing = Timing::new(plan);
    while timing.more() {
        let start = Instant::now();
        let echoed = match sent {
            Sent::Text(text) => Echoed::Text(client.call_blocking("calc.echo", &(text,))?),
            Sent::Bytes(bytes) => Echoed::Bytes(client.call_blocking("calc.echo", &(bytes,))?),
        };
        timing.record(start);
        check(sent, &echoed)?;
    }
    Ok(timing)
}

async fn stream<C: Connection>(
    client: &Client<C>,
    sent: &Sent,
    plan: Plan,
) -> Result<Timing, BoxError> {
    let mut timing = Timing::new(plan);
    while timing.more() {
        let start = Instant::now();
        let echoed = match sent {
            Sent::Text(text) => Echoed::Text(client.call("calc.echo", &(text,)).await?),
            Sent::Bytes(bytes) => Echoed::Bytes(client.call("calc.echo", &(bytes,)).await?),
        };
        timing.record(start);
        check(sent, &echoed)?;
    }
    Ok(timing)
}
