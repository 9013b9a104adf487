// diglot reached under another name, as after
// `rpc_framework = { package = "diglot", … }` in Cargo.toml.

extern crate diglot as rpc_framework;

// Nothing named `diglot` may be used by the generated code.
mod diglot {}

use rpc_framework::{Dispatcher, InProcess, Protocol};

#[rpc_framework::rpc(crate = "::rpc_framework")]
pub trait Renamed {
    fn hello(&self, name: String) -> String;
    async fn later(&self) -> Result<u8, rpc_framework::Fault>;
}

struct R;

impl Renamed for R {
    fn hello(&self, name: String) -> String {
        format!("hello {name}")
    }
    async fn later(&self) -> Result<u8, rpc_framework::Fault> {
        Ok(1)
    }
}

fn main() {
    let dispatcher = Dispatcher::new(RenamedService::new(R)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let client = RenamedClient::new(InProcess::new(dispatcher, Protocol::XmlRpc));
    rt.block_on(async {
        assert_eq!(client.hello("you".to_owned()).await.unwrap(), "hello you");
        assert_eq!(client.later().await.unwrap(), 1);
    });
}
