// Subscriptions: plain, fallible, async, with a context, and with an
// unsubscribe method of their own name, beside ordinary methods.

use diglot::{Context, Fault, Subscription};

#[diglot::rpc(namespace = "feed")]
pub trait Feeds {
    /// Numbers.
    #[rpc(subscription)]
    fn numbers(&self, count: u32) -> Subscription<u32>;

    #[rpc(subscription, unsubscribe = "feed.stopWords")]
    fn words(&self, ctx: &Context) -> Result<Subscription<String>, Fault>;

    #[rpc(subscription, name = "later")]
    async fn deferred(&self) -> Subscription<(u8, bool)>;

    fn plain(&self) -> u32;
}

struct Impl;

impl Feeds for Impl {
    fn numbers(&self, count: u32) -> Subscription<u32> {
        Subscription::iter(0..count)
    }

    fn words(&self, ctx: &Context) -> Result<Subscription<String>, Fault> {
        let _ = ctx.transport();
        Ok(Subscription::iter(vec!["a".to_owned()]))
    }

    async fn deferred(&self) -> Subscription<(u8, bool)> {
        Subscription::empty()
    }

    fn plain(&self) -> u32 {
        1
    }
}

fn main() {
    let dispatcher = diglot::Dispatcher::new(FeedsService::new(Impl)).unwrap();
    let names: Vec<&str> = dispatcher.methods().map(|m| m.name).collect();
    assert_eq!(
        &names[..7],
        ["feed.numbers", "feed.unnumbers", "feed.words", "feed.stopWords", "feed.later", "feed.unlater", "feed.plain"]
    );
    // The client calls the ordinary methods.
    let _ = FeedsClient::new(diglot::InProcess::new(dispatcher, diglot::Protocol::JsonRpc)).plain();
}
