//! Hello, world: a documented trait served over HTTP in both protocols.
//!
//! `cargo run --example hello [ADDR]` (default 127.0.0.1:8080), then:
//! curl -s http://127.0.0.1:8080/RPC2 -H 'Content-Type: application/json' \
//!      -d '{"jsonrpc":"2.0","method":"hello.greet","params":["world"],"id":1}'
//! python3 -c "import xmlrpc.client as x; print(x.ServerProxy('http://127.0.0.1:8080/RPC2').hello.greet('world'))"

// ANCHOR: hello
/// Greetings, in XML-RPC and JSON-RPC alike.
#[diglot::rpc(namespace = "hello")]
pub trait Hello {
    /// Greets `name`.
    fn greet(&self, name: String) -> String;
}

struct Greeter;

impl Hello for Greeter {
    fn greet(&self, name: String) -> String {
        format!("Hello, {name}!")
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args().nth(1).unwrap_or("127.0.0.1:8080".into());
    let dispatcher = diglot::Dispatcher::new(HelloService::new(Greeter))?;
    let server = diglot::Server::new(dispatcher).http(addr.parse()?);
    let server = server.bind().await?;
    println!("serving on http://{}/RPC2", server.http_addrs()[0]);
    server.serve().await?; // until Ctrl-C or SIGTERM
    Ok(())
}
// ANCHOR_END: hello
