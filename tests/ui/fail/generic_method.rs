#[diglot::rpc]
pub trait Echo {
    fn echo<T: serde::Serialize>(&self, value: T) -> T;
}

fn main() {}
