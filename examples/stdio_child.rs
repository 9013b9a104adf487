//! A child process as a service: starts the calculator with `--stdio` and
//! calls it over the child's stdin and stdout, as an editor calls a
//! language server. The child is stopped when the connection is dropped.
//!
//! `cargo build --example calculator && cargo run --example stdio_child`
//! (or give the program to start: `cargo run --example stdio_child -- PATH`).

use std::path::PathBuf;

use diglot::{ClientError, Protocol, StreamConnection};
use diglot_examples::calc::CalculatorClient;

// ANCHOR: child
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The calculator example, built beside this one, unless a path is given.
    let program = match std::env::args().nth(1) {
        Some(path) => PathBuf::from(path),
        None => std::env::current_exe()?.with_file_name("calculator"),
    };
    let mut command = tokio::process::Command::new(program);
    // stdout carries the calls; the child's log would mix with ours.
    command.arg("--stdio").stderr(std::process::Stdio::null());
    let calc = CalculatorClient::new(StreamConnection::spawn(command, Protocol::JsonRpc)?);

    println!("2 + 3 = {}", calc.add(2, 3).await?);
    println!("1 / 4 = {}", calc.div(1.0, 4.0).await?);
    match calc.div(1.0, 0.0).await {
        Err(ClientError::Fault(fault)) => {
            println!("1 / 0: fault {}: {}", fault.code, fault.message)
        }
        other => println!("1 / 0: {other:?}"),
    }
    Ok(())
}
// ANCHOR_END: child
