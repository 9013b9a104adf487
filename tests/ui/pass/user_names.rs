// User types and traits named like the generated code's generic parameters
// (`T`, `C`) must not clash with them.

use diglot::{Dispatcher, InProcess, Protocol};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct C {
    pub n: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct T(pub String);

#[diglot::rpc(namespace = "t")]
pub trait Shadowing {
    fn bump(&self, c: C) -> C;
    fn tag(&self, t: T) -> T;
}

#[allow(non_camel_case_types)]
#[diglot::rpc(namespace = "short")]
pub trait t {
    fn one(&self) -> i32;
}

struct Impl;

impl Shadowing for Impl {
    fn bump(&self, c: C) -> C {
        C { n: c.n + 1 }
    }
    fn tag(&self, t: T) -> T {
        T(format!("<{}>", t.0))
    }
}

impl t for Impl {
    fn one(&self) -> i32 {
        1
    }
}

fn main() {
    let dispatcher = Dispatcher::builder()
        .service(ShadowingService::new(Impl))
        .service(tService::new(Impl))
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let client = ShadowingClient::new(InProcess::new(dispatcher.clone(), Protocol::XmlRpc));
    assert_eq!(rt.block_on(client.bump(C { n: 1 })).unwrap(), C { n: 2 });
    assert_eq!(rt.block_on(client.tag(T("x".into()))).unwrap(), T("<x>".into()));
    let short = tClient::new(InProcess::new(dispatcher, Protocol::JsonRpc));
    assert_eq!(rt.block_on(short.one()).unwrap(), 1);
}
