//! The same XML-RPC service written with dxr and with diglot, for
//! comparison: `shop.price`, `shop.total`, `shop.quote` and `shop.items`
//! over HTTP.
//!
//! `cargo run --example from_dxr -- diglot [ADDR]` or
//! `cargo run --example from_dxr -- dxr [ADDR]` (default 127.0.0.1:8086),
//! then:
//! curl -s http://127.0.0.1:8086/ -H 'Content-Type: text/xml' -d \
//!   '<methodCall><methodName>shop.price</methodName><params><param><value><string>pear</string></value></param></params></methodCall>'

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

// ANCHOR: dxr
async fn serve_dxr(addr: SocketAddr) -> Result<(), BoxError> {
    use dxr::{Fault, TryFromParams, TryToValue, Value};
    use dxr_server::axum::http::HeaderMap;
    use dxr_server::{Handler, HandlerResult, RouteBuilder, Server, async_trait};

    type Prices = Arc<BTreeMap<String, f64>>;

    fn price_of(prices: &Prices, item: &str) -> Result<f64, Fault> {
        let price = prices.get(item).copied();
        price.ok_or_else(|| Fault::new(NO_SUCH_ITEM, format!("no such item: {item}")))
    }

    /// The cost of one line of a basket.
    #[derive(dxr::TryToValue)]
    struct Quote {
        item: String,
        count: i32,
        cost: f64,
    }

    // One handler type per method, each holding the state it needs. A
    // `dxr::Error` from a conversion becomes fault 400 through `?`.
    struct Price(Prices);
    #[async_trait]
    impl Handler for Price {
        async fn handle(&self, params: &[Value], _headers: HeaderMap) -> HandlerResult {
            let item = String::try_from_params(params)?;
            Ok(price_of(&self.0, &item)?.try_to_value()?)
        }
    }

    struct Total(Prices);
    #[async_trait]
    impl Handler for Total {
        async fn handle(&self, params: &[Value], _headers: HeaderMap) -> HandlerResult {
            let (items,): (BTreeMap<String, i32>,) = TryFromParams::try_from_params(params)?;
            let mut sum = 0.0;
            for (item, count) in items {
                sum += price_of(&self.0, &item)? * f64::from(count);
            }
            Ok(sum.try_to_value()?)
        }
    }

    struct QuoteOf(Prices);
    #[async_trait]
    impl Handler for QuoteOf {
        async fn handle(&self, params: &[Value], _headers: HeaderMap) -> HandlerResult {
            let (item, count): (String, i32) = TryFromParams::try_from_params(params)?;
            let cost = price_of(&self.0, &item)? * f64::from(count);
            Ok(Quote { item, count, cost }.try_to_value()?)
        }
    }

    struct Items(Prices);
    #[async_trait]
    impl Handler for Items {
        async fn handle(&self, _params: &[Value], _headers: HeaderMap) -> HandlerResult {
            Ok(self
                .0
                .keys()
                .cloned()
                .collect::<Vec<String>>()
                .try_to_value()?)
        }
    }

    let prices: Prices = Arc::new(prices());
    let route = RouteBuilder::new()
        .add_method("shop.price", Box::new(Price(prices.clone())))
        .add_method("shop.total", Box::new(Total(prices.clone())))
        .add_method("shop.quote", Box::new(QuoteOf(prices.clone())))
        .add_method("shop.items", Box::new(Items(prices)))
        .build();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("dxr on http://{}/", listener.local_addr()?);
    let mut server = Server::from_route(route);
    let stop = server.shutdown_trigger();
    tokio::spawn(async move {
        diglot::shutdown_signal().await;
        stop.notify_one();
    });
    server.serve_listener(listener).await?;
    Ok(())
}
// ANCHOR_END: dxr

// ANCHOR: diglot
/// The cost of one line of a basket.
#[derive(serde::Serialize, serde::Deserialize)]
struct Quote {
    item: String,
    count: i32,
    cost: f64,
}

/// A shop's prices.
#[diglot::rpc(namespace = "shop")]
trait Shop {
    /// The price of one item.
    fn price(&self, item: String) -> Result<f64, diglot::Fault>;
    /// The price of a basket: item name to quantity.
    fn total(&self, items: BTreeMap<String, i32>) -> Result<f64, diglot::Fault>;
    /// The cost of `count` of one item.
    fn quote(&self, item: String, count: i32) -> Result<Quote, diglot::Fault>;
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

    fn quote(&self, item: String, count: i32) -> Result<Quote, diglot::Fault> {
        let cost = self.price(item.clone())? * f64::from(count);
        Ok(Quote { item, count, cost })
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
    let addr: SocketAddr = args.next().unwrap_or("127.0.0.1:8086".into()).parse()?;
    match which.as_str() {
        "diglot" => serve_diglot(addr).await,
        "dxr" => serve_dxr(addr).await,
        _ => Err("usage: from_dxr diglot|dxr [ADDR]".into()),
    }
}
