//! The `server` role: the calculator on diglot (HTTP or a Unix socket), or
//! jsonrpsee serving the same `calc.add` over HTTP. Each admits
//! `--connections` plus a few more at once and keeps idle connections open
//! for as long as the benchmark runs.
//!
//! Prints `ready WHERE` once it listens, and exits when its stdin ends (the
//! driver is gone) or after `--max-seconds` (600 by default).

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use diglot::{
    Dispatcher, HttpConfig, HttpEndpoint, LocalEndpoint, LocalName, Server, StreamConfig,
};
use diglot_examples::calc::{Calc, CalculatorService};

use crate::{Flags, harness::BoxError};

/// Connections admitted beyond `--connections`: the timed one, and room.
const SPARE_CONNECTIONS: usize = 64;

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    let Some((kind, rest)) = args.split_first() else {
        return Err("usage: server diglot-http|diglot-unix|jsonrpsee-http --at WHERE".into());
    };
    let flags = Flags::parse(rest)?;
    let at = flags.need("at")?.to_owned();
    let admitted = flags.number("connections", 10_000)? + SPARE_CONNECTIONS;
    let limit = Duration::from_secs(flags.number("max-seconds", 600)? as u64);
    crate::raise_open_files(admitted + 64)?;
    crate::harness::exit_with_parent("conn_scale server", limit);
    // As `#[tokio::main]` builds it: one worker per CPU the process may
    // use, so one when pinned.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match kind.as_str() {
            "diglot-http" => diglot_http(at.parse()?, admitted, limit).await,
            "diglot-unix" => diglot_unix(PathBuf::from(at), admitted).await,
            "jsonrpsee-http" => jsonrpsee_http(at.parse()?, admitted).await,
            other => Err(format!("unknown server `{other}`").into()),
        }
    })
}

fn ready(at: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "ready {at}")?;
    out.flush()
}

async fn diglot_http(addr: SocketAddr, admitted: usize, idle: Duration) -> Result<(), BoxError> {
    // `read_timeout` also bounds how long a keep-alive connection may sit
    // between requests (hyper's header read timer runs while it waits for
    // the next request's head): raised so the idle connections stay.
    let config = HttpConfig::default()
        .max_connections(admitted)
        .read_timeout(idle);
    let server = Server::new(Dispatcher::new(CalculatorService::new(Calc))?)
        .endpoint(HttpEndpoint::new(addr).config(config))
        .bind()
        .await?;
    let bound = match server.addresses()[0].1 {
        diglot::transport::Address::Socket(addr) => addr,
        _ => unreachable!("the only endpoint is HTTP"),
    };
    ready(&bound.to_string())?;
    server.serve_until(std::future::pending()).await?;
    Ok(())
}

async fn diglot_unix(path: PathBuf, admitted: usize) -> Result<(), BoxError> {
    // Idle between frames has no time limit on the stream transports.
    let config = StreamConfig::default().max_connections(admitted);
    let server = Server::new(Dispatcher::new(CalculatorService::new(Calc))?)
        .endpoint(LocalEndpoint::new(LocalName::Path(path.clone())).config(config))
        .bind()
        .await?;
    ready(&path.display().to_string())?;
    server.serve_until(std::future::pending()).await?;
    Ok(())
}

async fn jsonrpsee_http(addr: SocketAddr, admitted: usize) -> Result<(), BoxError> {
    use jsonrpsee::server::{RpcModule, Server as JServer, ServerConfig};
    let mut module = RpcModule::new(());
    module.register_method("calc.add", |params, _, _| {
        let (a, b) = params.parse::<(i32, i32)>()?;
        a.checked_add(b).ok_or_else(|| {
            jsonrpsee::types::ErrorObjectOwned::owned(
                Calc::OVERFLOW,
                "the result does not fit in 32 bits",
                None::<()>,
            )
        })
    })?;
    // jsonrpsee admits 100 connections unless told otherwise.
    let config = ServerConfig::builder()
        .max_connections(u32::try_from(admitted)?)
        .build();
    let server = JServer::builder().set_config(config).build(addr).await?;
    let bound = server.local_addr()?;
    let handle = server.start(module);
    ready(&bound.to_string())?;
    handle.stopped().await;
    Ok(())
}
