#[diglot::rpc]
pub trait Echo<T> {
    fn echo(&self, value: T) -> T;
}

fn main() {}
