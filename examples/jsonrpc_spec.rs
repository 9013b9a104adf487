//! The example methods of the JSON-RPC 2.0 specification (section 7), served
//! over HTTP: `subtract` by position and by name, `sum` with any number of
//! terms, `update` and `notify_hello` (sent as notifications) and
//! `get_data`.
//!
//! `cargo run --example jsonrpc_spec [ADDR]` (default 127.0.0.1:8082), then:
//! curl -s http://127.0.0.1:8082/ -H 'Content-Type: application/json' \
//!      -d '{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":1}'

// ANCHOR: spec
/// What the specification's examples call.
#[diglot::rpc(server)]
trait Spec {
    /// `minuend - subtrahend`.
    fn subtract(&self, minuend: i64, subtrahend: i64) -> i64;
    /// The sum of every parameter.
    fn sum(&self, #[rpc(rest)] terms: Vec<i64>) -> i64;
    /// Takes any values and does nothing with them.
    fn update(&self, #[rpc(rest)] values: Vec<diglot::Value>);
    /// Says hello to no one.
    fn notify_hello(&self, #[rpc(rest)] values: Vec<i64>);
    /// Some data.
    fn get_data(&self) -> (&'static str, i64);
}
// ANCHOR_END: spec

struct Example;

impl Spec for Example {
    fn subtract(&self, minuend: i64, subtrahend: i64) -> i64 {
        minuend - subtrahend
    }
    fn sum(&self, terms: Vec<i64>) -> i64 {
        terms.iter().sum()
    }
    fn update(&self, _: Vec<diglot::Value>) {}
    fn notify_hello(&self, _: Vec<i64>) {}
    fn get_data(&self) -> (&'static str, i64) {
        ("hello", 5)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args().nth(1).unwrap_or("127.0.0.1:8082".into());
    let dispatcher = diglot::Dispatcher::new(SpecService::new(Example))?;
    let server = diglot::Server::new(dispatcher)
        .http(addr.parse()?)
        .bind()
        .await?;
    println!("jsonrpc_spec on http://{}/", server.http_addrs()[0]);
    server.serve().await?; // until Ctrl-C or SIGTERM
    Ok(())
}
