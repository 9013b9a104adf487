#[diglot::rpc]
pub struct Calculator {
    total: i32,
}

#[diglot::rpc]
pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

fn main() {
    let _ = Calculator { total: add(1, 2) };
}
