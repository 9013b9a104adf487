//! The calculator: diglot's running example.

use std::time::Duration;

use diglot::{Fault, Subscription, Value};
use futures_util::stream;

// ANCHOR: trait
/// Arithmetic for the examples.
#[diglot::rpc(namespace = "calc")]
pub trait Calculator {
    /// Adds two integers.
    fn add(&self, a: i32, b: i32) -> Result<i32, CalcError>;

    /// Divides; dividing by zero is a fault.
    async fn div(&self, a: f64, b: f64) -> Result<f64, CalcError>;

    /// Echoes any value back unchanged.
    fn echo(&self, value: diglot::Value) -> diglot::Value;

    /// Adds up a list of numbers.
    #[rpc(name = "sumAll")]
    fn sum(&self, values: Vec<f64>) -> f64;

    // ANCHOR: ticks
    /// Counts from 1 to `count`, one every `interval_ms` milliseconds.
    ///
    /// A subscription: each number comes as a notification, and
    /// `calc.unticks` stops it early.
    #[rpc(subscription)]
    fn ticks(&self, count: u32, interval_ms: u32) -> Subscription<u32>;
    // ANCHOR_END: ticks
}
// ANCHOR_END: trait

// ANCHOR: error
/// What can go wrong in the calculator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalcError {
    /// The divisor was zero.
    DivisionByZero,
    /// The result does not fit the type it is returned as (a sum past
    /// 32 bits).
    Overflow,
}

impl From<CalcError> for Fault {
    fn from(error: CalcError) -> Fault {
        match error {
            CalcError::DivisionByZero => Fault::new(Calc::DIVISION_BY_ZERO, "division by zero"),
            CalcError::Overflow => Fault::new(Calc::OVERFLOW, "the result does not fit in 32 bits"),
        }
    }
}
// ANCHOR_END: error

// ANCHOR: impl
/// The calculator's implementation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Calc;

impl Calc {
    /// The fault code of a division by zero.
    pub const DIVISION_BY_ZERO: i32 = 2;
    /// The fault code of a sum past 32 bits.
    pub const OVERFLOW: i32 = 3;
}

impl Calculator for Calc {
    fn add(&self, a: i32, b: i32) -> Result<i32, CalcError> {
        a.checked_add(b).ok_or(CalcError::Overflow)
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

    // ANCHOR: ticks_impl
    fn ticks(&self, count: u32, interval_ms: u32) -> Subscription<u32> {
        let every = Duration::from_millis(interval_ms.into());
        Subscription::new(stream::unfold(1, move |n| async move {
            if n > count {
                return None;
            }
            tokio::time::sleep(every).await;
            Some((n, n + 1))
        }))
    }
    // ANCHOR_END: ticks_impl
}
// ANCHOR_END: impl
