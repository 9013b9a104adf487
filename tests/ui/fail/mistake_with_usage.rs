// Mistakes in the trait should not also break every use of the generated
// server and client: one error each, nothing about the code that uses them.

use diglot::{Dispatcher, InProcess, Protocol};

#[diglot::rpc(namespace = "calc", prefix = "x")]
pub trait Calculator {
    fn add(&self, a: i32, b: i32) -> i32;

    fn neg(a: i32) -> i32;
}

struct Calc;

impl Calculator for Calc {
    fn add(&self, a: i32, b: i32) -> i32 {
        a + b
    }

    fn neg(a: i32) -> i32 {
        -a
    }
}

fn main() {
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    let client = CalculatorClient::new(InProcess::new(dispatcher, Protocol::JsonRpc));
    let _ = client.add(1, 2);
    let _ = client.neg(1);
}
