// A subscription returns `Subscription<Item>`; `unsubscribe` goes with
// `subscription`; a subscription takes no rest parameter.

#[diglot::rpc(namespace = "feed")]
pub trait Feeds {
    #[rpc(subscription)]
    fn numbers(&self) -> Vec<u32>;

    #[rpc(unsubscribe = "feed.stop")]
    fn plain(&self) -> u32;

    #[rpc(subscription)]
    fn spread(&self, #[rpc(rest)] values: Vec<u32>) -> diglot::Subscription<u32>;
}

fn main() {}
