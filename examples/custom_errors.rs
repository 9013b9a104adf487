//! Your own error type: a shop whose method returns `Result<f64, ShopError>`.
//! Each error becomes a fault with a stable code and message, one with
//! JSON-RPC `data`; the typed client maps the faults back to `ShopError`.
//!
//! ```text
//! cargo run --example custom_errors                  # serves on http://127.0.0.1:8082/RPC2
//! cargo run --example custom_errors -- 0.0.0.0:9000  # elsewhere
//! cargo run --example custom_errors -- --call http://127.0.0.1:8082/RPC2
//! ```
//!
//! The last is the typed client: it asks for a few quotes over JSON-RPC and
//! XML-RPC and prints what each came to. Other clients see the faults as
//! their protocol carries them:
//!
//! ```text
//! curl -s http://127.0.0.1:8082/RPC2 -H 'Content-Type: application/json' \
//!      -d '{"jsonrpc":"2.0","method":"shop.quote","params":["pear",5],"id":1}'
//! python3 -c "import xmlrpc.client as x
//! shop = x.ServerProxy('http://127.0.0.1:8082/RPC2').shop
//! for item, count in [('pear', 5), ('plum', 1), ('apple', 0)]:
//!     try: shop.quote(item, count)
//!     except x.Fault as f: print(f.faultCode, f.faultString)"
//! ```
//!
//! curl gets `{"jsonrpc":"2.0","error":{"code":2,"message":"not enough in
//! stock","data":{"available":3}},"id":1}`; Python prints `2 not enough in
//! stock`, `1 no such item` and `3 the count must be at least 1`.

use std::fmt;

use diglot::{ClientError, Fault, HttpConnection, Protocol, Struct, Value};

// ANCHOR: error
/// What can go wrong when the shop quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShopError {
    /// The shop does not sell that item.
    UnknownItem,
    /// Fewer are in stock than were asked for.
    OutOfStock {
        /// How many there are.
        available: u32,
    },
    /// A quote for nothing.
    NoItems,
}

impl ShopError {
    /// The fault code of [`ShopError::UnknownItem`].
    pub const UNKNOWN_ITEM: i32 = 1;
    /// The fault code of [`ShopError::OutOfStock`].
    pub const OUT_OF_STOCK: i32 = 2;
    /// The fault code of [`ShopError::NoItems`].
    pub const NO_ITEMS: i32 = 3;

    /// The fault code clients match on: part of the shop's interface, so
    /// never renumbered.
    pub fn code(&self) -> i32 {
        match self {
            ShopError::UnknownItem => Self::UNKNOWN_ITEM,
            ShopError::OutOfStock { .. } => Self::OUT_OF_STOCK,
            ShopError::NoItems => Self::NO_ITEMS,
        }
    }
}

/// The fault message: fixed per kind, and never the caller's own input
/// (the item name is not repeated back).
impl fmt::Display for ShopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShopError::UnknownItem => "no such item",
            ShopError::OutOfStock { .. } => "not enough in stock",
            ShopError::NoItems => "the count must be at least 1",
        })
    }
}

impl std::error::Error for ShopError {}

/// What a method's `Err` becomes on the wire. The count in stock travels
/// as JSON-RPC `error.data`; XML-RPC faults have no place for it.
impl From<ShopError> for Fault {
    fn from(error: ShopError) -> Fault {
        let fault = Fault::new(error.code(), error.to_string());
        match error {
            ShopError::OutOfStock { available } => {
                fault.with_data(Struct::from_iter([("available", available)]))
            }
            ShopError::UnknownItem | ShopError::NoItems => fault,
        }
    }
}
// ANCHOR_END: error

// ANCHOR: service
/// Quotes from a small shop.
#[diglot::rpc(namespace = "shop")]
pub trait Shop {
    /// What `count` of `item` cost.
    fn quote(&self, item: String, count: u32) -> Result<f64, ShopError>;
}

/// The shop: a price list and what is in stock.
struct Stall;

impl Stall {
    /// An item's price and how many are in stock.
    fn find(item: &str) -> Option<(f64, u32)> {
        match item {
            "apple" => Some((0.5, 4)),
            "pear" => Some((0.75, 3)),
            _ => None,
        }
    }
}

impl Shop for Stall {
    fn quote(&self, item: String, count: u32) -> Result<f64, ShopError> {
        let (price, available) = Stall::find(&item).ok_or(ShopError::UnknownItem)?;
        if count == 0 {
            return Err(ShopError::NoItems);
        }
        if count > available {
            return Err(ShopError::OutOfStock { available });
        }
        Ok(price * f64::from(count))
    }
}
// ANCHOR_END: service

// ANCHOR: client
/// The client's way back: a fault with one of the shop's codes is a
/// `ShopError` again; any other fault (or an out-of-stock fault without
/// its data, as XML-RPC delivers it) is handed back unchanged.
impl TryFrom<Fault> for ShopError {
    type Error = Fault;

    fn try_from(fault: Fault) -> Result<ShopError, Fault> {
        match fault.code {
            ShopError::UNKNOWN_ITEM => Ok(ShopError::UnknownItem),
            ShopError::NO_ITEMS => Ok(ShopError::NoItems),
            ShopError::OUT_OF_STOCK => {
                let available = (fault.data.as_deref())
                    .and_then(|data| data.get("available"))
                    .and_then(Value::as_i64)
                    .and_then(|n| u32::try_from(n).ok());
                match available {
                    Some(available) => Ok(ShopError::OutOfStock { available }),
                    None => Err(fault),
                }
            }
            _ => Err(fault),
        }
    }
}

/// Asks for a few quotes in each protocol and prints what each came to.
async fn call(url: &str) -> Result<(), ClientError> {
    for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
        println!("{protocol:?}:");
        let shop = ShopClient::new(HttpConnection::new(url, protocol)?);
        for (item, count) in [("pear", 2), ("pear", 5), ("plum", 1), ("apple", 0)] {
            let answer = match shop.quote(item.to_owned(), count).await {
                Ok(cost) => format!("costs {cost}"),
                Err(ClientError::Fault(fault)) => match ShopError::try_from(fault) {
                    Ok(error) => format!("{error:?}"),
                    Err(fault) => format!("not mapped: {fault}"),
                },
                Err(other) => return Err(other),
            };
            println!("  {count} {item}: {answer}");
        }
    }
    Ok(())
}
// ANCHOR_END: client

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("--call") {
        let url = args.next().ok_or("usage: custom_errors --call URL")?;
        return Ok(call(&url).await?);
    }
    let addr = first.unwrap_or("127.0.0.1:8082".into());
    let dispatcher = diglot::Dispatcher::new(ShopService::new(Stall))?;
    let server = diglot::Server::new(dispatcher).http(addr.parse()?);
    let server = server.bind().await?;
    println!("serving on http://{}/RPC2", server.http_addrs()[0]);
    server.serve().await?; // until Ctrl-C or SIGTERM
    Ok(())
}
