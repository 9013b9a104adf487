// A subscription's item must encode: the error points at the item type.

use diglot::Subscription;

pub struct Opaque;

#[diglot::rpc(namespace = "feed")]
pub trait Feeds {
    #[rpc(subscription)]
    fn opaque(&self) -> Subscription<Opaque>;
}

fn main() {}
