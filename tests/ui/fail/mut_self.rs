#[diglot::rpc]
pub trait Counter {
    fn increment(&mut self, by: i32) -> i32;
}

fn main() {}
