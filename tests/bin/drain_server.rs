//! A server process for the drain tests (`tests/drain.rs`): the calculator
//! and the `probe.*` service (slow answers) on HTTP, TCP, a Unix socket and
//! shared memory at once, or on stdio, until SIGINT or SIGTERM.
//!
//! `drain_server DIR` prints one line, `ready http=ADDR tcp=ADDR`, once it
//! listens (the Unix socket is `DIR/rpc.sock`, shared memory `DIR/rpc.shm`);
//! `drain_server --stdio` serves stdin and stdout.

use diglot::{Dispatcher, LocalName, Server};
use diglot_examples::calc::{Calc, CalculatorService};
use diglot_tests::probe::{ProbeImpl, ProbeService};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dispatcher = Dispatcher::builder()
        .service(CalculatorService::new(Calc))
        .service(ProbeService::new(ProbeImpl))
        .build()?;
    let arg = std::env::args()
        .nth(1)
        .ok_or("usage: drain_server DIR | --stdio")?;
    let server = Server::new(dispatcher);
    if arg == "--stdio" {
        return Ok(server.stdio().serve().await?);
    }
    let dir = std::path::Path::new(&arg);
    let server = server
        .http("127.0.0.1:0".parse()?)
        .tcp("127.0.0.1:0".parse()?)
        .local(LocalName::Path(dir.join("rpc.sock")))
        .shm(LocalName::Path(dir.join("rpc.shm")))
        .bind()
        .await?;
    println!(
        "ready http={} tcp={}",
        server.http_addrs()[0],
        server.tcp_addrs()[0]
    );
    server.serve().await?;
    Ok(())
}
