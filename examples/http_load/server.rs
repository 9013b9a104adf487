//! The servers the HTTP load test drives, one per run: diglot's standalone
//! server, a hand-written axum + serde_json handler (the ceiling: the least
//! work a JSON-RPC `calc.add` can be done with on the same HTTP stack), and
//! jsonrpsee's HTTP server.
//!
//! ```text
//! cargo run --release -p diglot-examples --example http_load_server -- diglot 18080
//! cargo run --release -p diglot-examples --example http_load_server -- axum 18081
//! cargo run --release -p diglot-examples --example http_load_server -- jsonrpsee 18082
//! ```
//!
//! Each listens on `127.0.0.1:PORT` and serves until SIGINT or SIGTERM.
//! `examples/http_load/run.sh` starts them one by one and measures them.

use std::net::{Ipv4Addr, SocketAddr};

use diglot::{Dispatcher, Server};
use diglot_examples::calc::{Calc, CalculatorService};

const USAGE: &str = "usage: http_load_server diglot|axum|jsonrpsee PORT";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, port] = args.as_slice() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let port: u16 = port.parse().map_err(|e| format!("port `{port}`: {e}"))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match kind.as_str() {
        "diglot" => serve_diglot(addr).await,
        "axum" => serve_axum(addr).await,
        "jsonrpsee" => serve_jsonrpsee(addr).await,
        other => {
            eprintln!("unknown server `{other}`\n{USAGE}");
            std::process::exit(2);
        }
    }
}

/// diglot's standalone HTTP server (hyper underneath), serving the
/// calculator over XML-RPC and JSON-RPC on one port.
async fn serve_diglot(addr: SocketAddr) -> Result<(), BoxError> {
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc))?;
    let server = Server::new(dispatcher).http(addr).bind().await?;
    println!("diglot listening on http://{addr}/RPC2");
    server.serve().await?;
    Ok(())
}

/// The ceiling: axum with one hand-written JSON-RPC `calc.add` handler.
mod ceiling {
    use axum::body::Bytes;
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use serde::Deserialize;
    use serde_json::value::RawValue;

    /// A JSON-RPC request for `calc.add`, read without copying strings.
    #[derive(Deserialize)]
    struct AddRequest<'a> {
        #[serde(borrow)]
        jsonrpc: &'a str,
        #[serde(borrow)]
        method: &'a str,
        params: (i32, i32),
        #[serde(borrow)]
        id: &'a RawValue,
    }

    /// Parses the request, adds, writes the response: the same work as
    /// diglot's `calc.add`, minus everything a framework adds.
    pub(crate) async fn add(body: Bytes) -> Response {
        let request: AddRequest<'_> = match serde_json::from_slice(&body) {
            Ok(request) => request,
            Err(_) => return (StatusCode::BAD_REQUEST, "parse error").into_response(),
        };
        if request.jsonrpc != "2.0" || request.method != "calc.add" {
            return (StatusCode::BAD_REQUEST, "not calc.add").into_response();
        }
        let (a, b) = request.params;
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(br#"{"jsonrpc":"2.0","result":"#);
        out.extend_from_slice(itoa::Buffer::new().format(a.wrapping_add(b)).as_bytes());
        out.extend_from_slice(br#","id":"#);
        out.extend_from_slice(request.id.get().as_bytes());
        out.push(b'}');
        ([(header::CONTENT_TYPE, "application/json")], out).into_response()
    }
}

async fn serve_axum(addr: SocketAddr) -> Result<(), BoxError> {
    let app = axum::Router::new()
        .route("/", axum::routing::post(ceiling::add))
        .route("/RPC2", axum::routing::post(ceiling::add));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("axum listening on http://{addr}/");
    axum::serve(listener, app)
        .with_graceful_shutdown(diglot::shutdown_signal())
        .await?;
    Ok(())
}

/// jsonrpsee's HTTP (and WebSocket) server with `calc.add` registered.
async fn serve_jsonrpsee(addr: SocketAddr) -> Result<(), BoxError> {
    use jsonrpsee::server::{RpcModule, Server as RpcServer};
    use jsonrpsee::types::ErrorObjectOwned;

    let server = RpcServer::builder().build(addr).await?;
    let mut module = RpcModule::new(());
    module.register_method("calc.add", |params, _context, _extensions| {
        let (a, b): (i32, i32) = params.parse()?;
        Ok::<i32, ErrorObjectOwned>(a.wrapping_add(b))
    })?;
    let handle = server.start(module);
    println!("jsonrpsee listening on http://{addr}/");
    tokio::select! {
        () = diglot::shutdown_signal() => {
            let _ = handle.stop();
        }
        () = handle.clone().stopped() => {}
    }
    handle.stopped().await;
    Ok(())
}
