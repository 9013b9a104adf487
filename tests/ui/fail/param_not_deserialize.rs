pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[diglot::rpc]
pub trait Geometry {
    fn norm(&self, origin: f64, point: Point) -> f64;
}

fn main() {}
