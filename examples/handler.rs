//! A handler of your own in front of the dispatcher: it counts calls, logs
//! each to stderr, and holds bodies to a 4 KiB limit of its own. `Server`
//! serves any `Handler` on any transport, as it serves a `Dispatcher`.
//!
//! ```text
//! cargo run --example handler                       # stdio, for a parent process
//! cargo run --example handler -- --http 127.0.0.1:8080
//! ```

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use diglot::transport::{Handler, Message, Refusal, Reply};
use diglot::{Dispatcher, Protocol, Server};
use diglot_examples::calc::{Calc, CalculatorService};

// ANCHOR: handler
/// The calculator, counted and logged.
struct Logged {
    inner: Dispatcher,
    calls: AtomicU64,
}

impl Handler for Logged {
    fn handle<'b>(&'b self, message: Message<'b>) -> impl Future<Output = Reply> + Send + 'b {
        let n = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        eprintln!(
            "handler: call {n} over {}, {} bytes",
            message.transport,
            message.body.len()
        );
        self.inner.handle(message)
    }

    /// Every transport stops reading a body here.
    fn max_body_bytes(&self) -> usize {
        4096
    }

    /// The dispatcher words the refusal in the caller's protocol.
    fn refuse(&self, refusal: Refusal, protocol: Option<Protocol>) -> Reply {
        eprintln!("handler: refused: {refusal:?}");
        self.inner.refuse(refusal, protocol)
    }
}
// ANCHOR_END: handler

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let logged = Logged {
        inner: Dispatcher::new(CalculatorService::new(Calc))?,
        calls: AtomicU64::new(0),
    };
    let server = Server::new(logged);
    let mut args = std::env::args().skip(1);
    let server = match (args.next().as_deref(), args.next()) {
        (None, _) => server.stdio(),
        (Some("--http"), Some(addr)) => server.http(addr.parse()?),
        _ => return Err("usage: handler [--http ADDR]".into()),
    };
    server.serve().await?;
    Ok(())
}
