#[diglot::rpc]
pub trait Calculator {
    fn add(&self, (a, b): (i32, i32)) -> i32;
}

fn main() {}
