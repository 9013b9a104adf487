//! The calculator, served by diglot.
//!
//! Until the network transports land it answers one request read from
//! standard input, in whichever protocol the request is written:
//!
//! ```text
//! echo '{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}' | cargo run --example calculator
//! ```

use std::io::{Read, Write};

use diglot::Dispatcher;
use diglot_examples::calc::{Calc, CalculatorServer};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: serve
    let dispatcher = Dispatcher::new(CalculatorServer::new(Calc))?;
    // ANCHOR_END: serve
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body)?;
    let reply = dispatcher.handle_body(&body, None).await;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&reply.body)?;
    stdout.write_all(b"\n")?;
    Ok(())
}
