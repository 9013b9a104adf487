// `crate = "…"` names the path generated code reaches diglot through.

use diglot::{Dispatcher, InProcess, Protocol};

#[diglot::rpc(crate = "::diglot", namespace = "math")]
pub trait Math {
    fn double(&self, x: i32) -> i32;
}

struct M;

impl Math for M {
    fn double(&self, x: i32) -> i32 {
        x * 2
    }
}

fn main() {
    let dispatcher = Dispatcher::new(MathService::new(M)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let client = MathClient::new(InProcess::new(dispatcher, Protocol::JsonRpc));
    assert_eq!(rt.block_on(client.double(21)).unwrap(), 42);
}
