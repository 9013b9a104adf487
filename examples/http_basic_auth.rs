//! The calculator inside an axum application, behind HTTP basic
//! authentication.
//!
//! ```text
//! cargo run --example http_basic_auth [-- ADDR]     # default 127.0.0.1:8081
//! python3 -c "import xmlrpc.client as x; print(x.ServerProxy('http://ann:secret@127.0.0.1:8081/RPC2').calc.add(1, 2))"
//! ```

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args().nth(1).unwrap_or("127.0.0.1:8081".into());
    let app = diglot_examples::auth::app("ann", "secret")?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "calculator behind basic auth on http://ann:secret@{}/RPC2",
        listener.local_addr()?
    );
    // Ctrl-C or SIGTERM stops it, after the calls in flight.
    axum::serve(listener, app)
        .with_graceful_shutdown(diglot::shutdown_signal())
        .await?;
    Ok(())
}
