//! The `server` role: the calculator on `diglot::Server`, over HTTP, a Unix
//! socket and shared memory at once, as an application would serve it but
//! with a body limit raised for the largest payloads.
//!
//! Prints `ready http=ADDR` once bound, and exits when its stdin ends (the
//! driver is gone) or after `--max-seconds`.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use diglot::{Dispatcher, Limits, LocalName, Server};
use diglot_examples::calc::{Calc, CalculatorService};

use crate::{BODY_LIMIT, BoxError, Flags};

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    let flags = Flags::parse(args)?;
    let http = flags
        .need("http")?
        .parse()
        .map_err(|e| format!("--http: {e}"))?;
    let unix = LocalName::Path(PathBuf::from(flags.need("unix")?));
    let shm = LocalName::Path(PathBuf::from(flags.need("shm")?));
    crate::harness::exit_with_parent(
        "payload_bench server",
        Duration::from_secs(flags.number("max-seconds", 1800)? as u64),
    );
    // As `#[tokio::main]` builds it: one worker per CPU it may use, one
    // when pinned.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let dispatcher = Dispatcher::builder()
            .service(CalculatorService::new(Calc))
            .limits(Limits::default().max_body_bytes(BODY_LIMIT))
            .build()?;
        let server = Server::new(dispatcher)
            .http(http)
            .local(unix)
            .shm(shm)
            .bind()
            .await?;
        let addr = server.http_addrs()[0];
        let mut out = std::io::stdout().lock();
        writeln!(out, "ready http={addr}")?;
        out.flush()?;
        drop(out);
        server.serve_until(std::future::pending()).await?;
        Ok(())
    })
}
