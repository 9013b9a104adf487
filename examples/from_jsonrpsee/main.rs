//! The same JSON-RPC service written with jsonrpsee and with diglot, for
//! comparison: `shop.price`, `shop.total` and `shop.items` over HTTP.
//!
//! `cargo run --example from_jsonrpsee -- diglot [ADDR]` or
//! `cargo run --example from_jsonrpsee -- jsonrpsee [ADDR]` (default
//! 127.0.0.1:8085), then:
//! curl -s http://127.0.0.1:8085/ -H 'Content-Type: application/json' \
//!      -d '{"jsonrpc":"2.0","method":"shop.price","params":["pear"],"id":1}'

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What both servers sell.
fn prices() -> BTreeMap<String, f64> {
    BTreeMap::from([("apple".into(), 0.5), ("pear".into(), 0.75)])
}

/// The fault code of an unknown item, in both.
const NO_SUCH_ITEM: i32 = 1;

// ANCHOR: jsonrpsee
async fn serve_jsonrpsee(addr: SocketAddr) -> Result<(), BoxError> {
    use jsonrpsee::server::{RpcModule, Server};
    use jsonrpsee::types::ErrorObjectOwned;

    fn price_of(prices: &BTreeMap<String, f64>, item: &str) -> Result<f64, ErrorObjectOwned> {
        prices.get(item).copied().ok_or_else(|| {
            ErrorObjectOwned::owned(NO_SUCH_ITEM, format!("no such item: {item}"), None::<()>)
        })
    }

    let mut module = RpcModule::new(prices());
    module.register_method("shop.price", |params, prices, _| {
        let (item,): (String,) = params.parse()?;
        price_of(prices, &item)
    })?;
    module.register_method("shop.total", |params, prices, _| {
        let (items,): (BTreeMap<String, i32>,) = params.parse()?;
        let mut sum = 0.0;
        for (item, count) in items {
            sum += price_of(prices, &item)? * f64::from(count);
        }
        Ok::<f64, ErrorObjectOwned>(sum)
    })?;
    module.register_method("shop.items", |_, prices, _| {
        prices.keys().cloned().collect::<Vec<String>>()
    })?;
    let server = Server::builder().build(addr).await?;
    println!("jsonrpsee on http://{}/", server.local_addr()?);
    let handle = server.start(module);
    tokio::select! {
        () = diglot::shutdown_signal() => { let _ = handle.stop(); }
        () = handle.clone().stopped() => {}
    }
    Ok(())
}
// ANCHOR_END: jsonrpsee

// ANCHOR: diglot
/// A shop's prices.
#[diglot::rpc(namespace = "shop")]
trait Shop {
    /// The price of one item.
    fn price(&self, item: String) -> Result<f64, diglot::Fault>;
    /// The price of a basket: item name to quantity.
    fn total(&self, items: BTreeMap<String, i32>) -> Result<f64, diglot::Fault>;
    /// Every item for sale.
    fn items(&self) -> Vec<String>;
}

struct Prices(Arc<BTreeMap<String, f64>>);

impl Shop for Prices {
    fn price(&self, item: String) -> Result<f64, diglot::Fault> {
        let price = self.0.get(&item).copied();
        price.ok_or_else(|| diglot::Fault::new(NO_SUCH_ITEM, format!("no such item: {item}")))
    }

    fn total(&self, items: BTreeMap<String, i32>) -> Result<f64, diglot::Fault> {
        let mut sum = 0.0;
        for (item, count) in items {
            sum += self.price(item)? * f64::from(count);
        }
        Ok(sum)
    }

    fn items(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }
}

async fn serve_diglot(addr: SocketAddr) -> Result<(), BoxError> {
    let dispatcher = diglot::Dispatcher::new(ShopService::new(Prices(Arc::new(prices()))))?;
    let server = diglot::Server::new(dispatcher).http(addr).bind().await?;
    println!("diglot on http://{}/", server.http_addrs()[0]);
    server.serve().await?; // until Ctrl-C or SIGTERM
    Ok(())
}
// ANCHOR_END: diglot

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_default();
    let addr: SocketAddr = args.next().unwrap_or("127.0.0.1:8085".into()).parse()?;
    match which.as_str() {
        "diglot" => serve_diglot(addr).await,
        "jsonrpsee" => serve_jsonrpsee(addr).await,
        _ => Err("usage: from_jsonrpsee diglot|jsonrpsee [ADDR]".into()),
    }
}
