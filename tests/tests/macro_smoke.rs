//! Smoke test of the generated code.

use diglot::{Dispatcher, Fault, InProcess, Protocol, Value};

/// Errors of the calculator.
#[derive(Debug)]
pub enum CalcError {
    /// b was zero.
    DivisionByZero,
}

impl From<CalcError> for Fault {
    fn from(e: CalcError) -> Fault {
        match e {
            CalcError::DivisionByZero => Fault::new(2, "division by zero"),
        }
    }
}

/// Arithmetic for the examples.
#[diglot::rpc(namespace = "calc")]
pub trait Calculator {
    /// Adds two integers.
    fn add(&self, a: i32, b: i32) -> i32;
    /// Divides; dividing by zero is a fault.
    async fn div(&self, a: f64, b: f64) -> Result<f64, CalcError>;
    /// Echoes any value back unchanged.
    fn echo(&self, value: diglot::Value) -> diglot::Value;
    #[rpc(name = "sumAll")]
    fn sum(&self, values: Vec<f64>) -> f64;
}

struct Calc;

impl Calculator for Calc {
    fn add(&self, a: i32, b: i32) -> i32 {
        a + b
    }
    async fn div(&self, a: f64, b: f64) -> Result<f64, CalcError> {
        if b == 0.0 {
            return Err(CalcError::DivisionByZero);
        }
        Ok(a / b)
    }
    fn echo(&self, value: Value) -> Value {
        value
    }
    fn sum(&self, values: Vec<f64>) -> f64 {
        values.iter().sum()
    }
}

#[test]
fn calls_through_the_typed_client() {
    let dispatcher = Dispatcher::new(CalculatorServer::new(Calc)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for protocol in [Protocol::XmlRpc, Protocol::JsonRpc] {
        let client = CalculatorClient::new(InProcess::new(dispatcher.clone(), protocol));
        rt.block_on(async {
            assert_eq!(client.add(2, 3).await.unwrap(), 5);
            assert_eq!(client.div(1.0, 4.0).await.unwrap(), 0.25);
            let err = client.div(1.0, 0.0).await.unwrap_err();
            assert_eq!(err.fault().unwrap().code, 2);
            assert_eq!(client.sum(vec![1.0, 2.5]).await.unwrap(), 3.5);
            assert_eq!(
                client.echo(Value::from("x")).await.unwrap(),
                Value::from("x")
            );
        });
    }
}
