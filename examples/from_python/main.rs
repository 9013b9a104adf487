//! The shop's price service of `server.py` (Python's SimpleXMLRPCServer),
//! served with diglot: the same names, the same answers to the same Python
//! client (`client.py`), over XML-RPC and JSON-RPC.
//!
//! `cargo run --example from_python [ADDR]` (default 127.0.0.1:8084), then
//! `python3 examples/from_python/client.py http://127.0.0.1:8084/RPC2`.

use std::collections::BTreeMap;

use diglot::Fault;

// ANCHOR: rust
/// A shop's prices.
#[diglot::rpc(namespace = "shop")]
trait Shop {
    /// The price of one item.
    fn price(&self, item: String) -> Result<f64, Fault>;
    /// The price of a basket: item name to quantity.
    fn total(&self, items: BTreeMap<String, i32>) -> Result<f64, Fault>;
    /// Every item for sale.
    fn items(&self) -> Vec<String>;
}

struct Prices(BTreeMap<String, f64>);

impl Shop for Prices {
    fn price(&self, item: String) -> Result<f64, Fault> {
        // SimpleXMLRPCServer answers an exception with fault code 1.
        (self.0.get(&item).copied()).ok_or_else(|| Fault::new(1, format!("no such item: {item}")))
    }

    fn total(&self, items: BTreeMap<String, i32>) -> Result<f64, Fault> {
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
// ANCHOR_END: rust

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prices = Prices(BTreeMap::from([
        ("apple".into(), 0.5),
        ("pear".into(), 0.75),
    ]));
    let dispatcher = diglot::Dispatcher::new(ShopService::new(prices))?;
    let addr = std::env::args().nth(1).unwrap_or("127.0.0.1:8084".into());
    let server = diglot::Server::new(dispatcher)
        .http(addr.parse()?)
        .bind()
        .await?;
    println!("from_python on http://{}/RPC2", server.http_addrs()[0]);
    server.serve().await?; // until Ctrl-C or SIGTERM
    Ok(())
}
