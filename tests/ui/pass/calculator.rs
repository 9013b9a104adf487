// Sync and async methods; returns of `T`, `()` and `Result<T, E>` with
// `E: Into<Fault>`; `Option` parameters.

use diglot::{Dispatcher, Fault, InProcess, Protocol};

#[derive(Debug)]
pub enum CalcError {
    DivisionByZero,
}

impl From<CalcError> for Fault {
    fn from(error: CalcError) -> Fault {
        match error {
            CalcError::DivisionByZero => Fault::new(2, "division by zero"),
        }
    }
}

#[diglot::rpc(namespace = "calc")]
pub trait Calculator {
    fn add(&self, a: i32, b: i32) -> i32;
    async fn mul(&self, a: i64, b: i64) -> i64;
    fn div(&self, a: f64, b: f64) -> Result<f64, CalcError>;
    async fn checked_div(&self, a: f64, b: f64) -> Result<f64, CalcError>;
    fn reset(&self);
    async fn flush(&self) -> ();
    fn scale(&self, x: f64, factor: Option<f64>) -> f64;
    async fn greeting(&self, name: Option<String>) -> Option<String>;
}

struct Calc;

impl Calculator for Calc {
    fn add(&self, a: i32, b: i32) -> i32 {
        a + b
    }
    async fn mul(&self, a: i64, b: i64) -> i64 {
        a * b
    }
    fn div(&self, a: f64, b: f64) -> Result<f64, CalcError> {
        if b == 0.0 {
            Err(CalcError::DivisionByZero)
        } else {
            Ok(a / b)
        }
    }
    async fn checked_div(&self, a: f64, b: f64) -> Result<f64, CalcError> {
        self.div(a, b)
    }
    fn reset(&self) {}
    async fn flush(&self) {}
    fn scale(&self, x: f64, factor: Option<f64>) -> f64 {
        x * factor.unwrap_or(1.0)
    }
    async fn greeting(&self, name: Option<String>) -> Option<String> {
        name.map(|n| format!("hello, {n}"))
    }
}

fn main() {
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for protocol in [Protocol::XmlRpc, Protocol::JsonRpc] {
        let client = CalculatorClient::new(InProcess::new(dispatcher.clone(), protocol));
        rt.block_on(async {
            assert_eq!(client.add(2, 3).await.unwrap(), 5);
            assert_eq!(client.mul(6, 7).await.unwrap(), 42);
            assert_eq!(client.div(1.0, 4.0).await.unwrap(), 0.25);
            let err = client.checked_div(1.0, 0.0).await.unwrap_err();
            assert_eq!(err.fault().unwrap().code, 2);
            client.reset().await.unwrap();
            client.flush().await.unwrap();
            assert_eq!(client.scale(2.0, None).await.unwrap(), 2.0);
            assert_eq!(client.scale(2.0, Some(3.0)).await.unwrap(), 6.0);
            assert_eq!(
                client
                    .greeting(Some("ann".into()))
                    .await
                    .unwrap()
                    .as_deref(),
                Some("hello, ann")
            );
            assert_eq!(client.greeting(None).await.unwrap(), None);
        });
    }
}
