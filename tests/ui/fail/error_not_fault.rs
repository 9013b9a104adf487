#[derive(Debug)]
pub struct CalcError;

#[diglot::rpc]
pub trait Calculator {
    fn div(&self, a: f64, b: f64) -> Result<f64, CalcError>;
}

fn main() {}
