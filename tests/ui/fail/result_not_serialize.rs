#[derive(serde::Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[diglot::rpc]
pub trait Geometry {
    fn origin(&self) -> Point;
}

fn main() {}
