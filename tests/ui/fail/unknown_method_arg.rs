#[diglot::rpc]
pub trait Calculator {
    #[rpc(rename = "plus")]
    fn add(&self, a: i32, b: i32) -> i32;

    fn sub(&self, #[rpc(alias = "x")] a: i32, b: i32) -> i32;
}

fn main() {}
