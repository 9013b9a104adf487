//! The calculator inside an axum application, behind HTTP basic
//! authentication.
//!
//! ```text
//! cargo run --example http_basic_auth
//! python3 -c "import xmlrpc.client as x; print(x.ServerProxy('http://ann:secret@127.0.0.1:8081/RPC2').calc.add(1, 2))"
//! ```

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = diglot_examples::auth::app("ann", "secret")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8081").await?;
    println!(
        "calculator behind basic auth on http://ann:secret@{}/RPC2",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
