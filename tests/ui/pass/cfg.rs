// A method compiled out with `#[cfg(any())]` takes no slot in the table and
// needs no implementation; one under `#[cfg(all())]` is kept.

use diglot::{Dispatcher, InProcess, Protocol};

#[diglot::rpc]
pub trait Features {
    fn first(&self) -> i32;

    #[cfg(any())]
    fn gone(&self, x: NoSuchType) -> AlsoMissing;

    #[cfg(all())]
    fn kept(&self) -> i32;

    #[cfg(any())]
    async fn gone_async(&self) -> i32;

    fn last(&self) -> i32;
}

struct Impl;

impl Features for Impl {
    fn first(&self) -> i32 {
        1
    }
    #[cfg(all())]
    fn kept(&self) -> i32 {
        2
    }
    fn last(&self) -> i32 {
        3
    }
}

fn main() {
    let dispatcher = Dispatcher::new(FeaturesService::new(Impl)).unwrap();
    let names: Vec<_> = dispatcher
        .methods()
        .map(|m| m.name)
        .filter(|n| !n.starts_with("system.") && !n.starts_with("rpc."))
        .collect();
    assert_eq!(names, ["first", "kept", "last"]);

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for protocol in [Protocol::XmlRpc, Protocol::JsonRpc] {
        let client = FeaturesClient::new(InProcess::new(dispatcher.clone(), protocol));
        rt.block_on(async {
            assert_eq!(client.first().await.unwrap(), 1);
            assert_eq!(client.kept().await.unwrap(), 2);
            assert_eq!(client.last().await.unwrap(), 3);
            let err = client
                .client()
                .call::<_, i32>("gone", &())
                .await
                .unwrap_err();
            assert!(err.fault().is_some());
        });
    }
}
