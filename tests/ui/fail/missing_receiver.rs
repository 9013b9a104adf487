#[diglot::rpc]
pub trait Calculator {
    fn add(a: i32, b: i32) -> i32;
}

fn main() {}
