#[diglot::rpc(namespace = "calc", version = 2)]
pub trait Calculator {
    fn add(a: i32, b: i32) -> i32;

    fn echo<T>(&self, value: T) -> T;

    fn sub(&self, a: i32, b: i32) -> i32;
}

fn main() {}
