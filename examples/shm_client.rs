//! A shared-memory client: calls a calculator on the same machine through
//! shared memory, the fastest way for two processes to talk (Linux).
//!
//! `cargo run --example calculator -- --shm /tmp/calc.shm` in one shell,
//! `cargo run --example shm_client -- /tmp/calc.shm` in another (the
//! default path is the calculator's, `/tmp/diglot-calculator.shm`).

#[cfg(target_os = "linux")]
// ANCHOR: shm
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use diglot::{LocalName, Protocol, ShmConnection};
    use diglot_examples::calc::CalculatorClient;

    let path = std::env::args()
        .nth(1)
        .unwrap_or("/tmp/diglot-calculator.shm".into());
    let connection = ShmConnection::connect(&LocalName::parse(&path), Protocol::JsonRpc).await?;
    let calc = CalculatorClient::new(connection);
    println!("2 + 3 = {}", calc.add(2, 3).await?);
    let started = std::time::Instant::now();
    for i in 0..10_000 {
        calc.add(i, 1).await?;
    }
    println!("10000 calls in {:?}", started.elapsed());
    Ok(())
}
// ANCHOR_END: shm

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("shared memory is served on Linux only");
}
