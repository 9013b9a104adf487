// A subscription returns `Subscription<Item>`; `unsubscribe` goes with
// `subscription`.

#[diglot::rpc(namespace = "feed")]
pub trait Feeds {
    #[rpc(subscription)]
    fn numbers(&self) -> Vec<u32>;

    #[rpc(unsubscribe = "feed.stop")]
    fn plain(&self) -> u32;
}

fn main() {}
