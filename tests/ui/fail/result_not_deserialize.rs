// The client decodes results, so a result type needs `Deserialize` too.

#[derive(serde::Serialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[diglot::rpc]
pub trait Geometry {
    async fn origin(&self) -> Result<Point, diglot::Fault>;
}

fn main() {}
