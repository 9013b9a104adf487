// A serde struct as parameter and result, and a borrowed `&str` parameter.

use diglot::{Dispatcher, InProcess, Protocol};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub centroid: Point,
    pub label: String,
}

#[diglot::rpc]
pub trait Geometry {
    fn summarize(&self, points: Vec<Point>, label: &str) -> Summary;
    fn mirror(&self, point: Point) -> Point;
    async fn shout(&self, text: String) -> String;
    fn length(&self, text: &str) -> usize;
}

struct Shapes;

impl Geometry for Shapes {
    fn summarize(&self, points: Vec<Point>, label: &str) -> Summary {
        let n = points.len().max(1) as f64;
        let x = points.iter().map(|p| p.x).sum::<f64>() / n;
        let y = points.iter().map(|p| p.y).sum::<f64>() / n;
        Summary {
            count: points.len(),
            centroid: Point { x, y },
            label: label.to_owned(),
        }
    }
    fn mirror(&self, point: Point) -> Point {
        Point {
            x: -point.x,
            y: point.y,
        }
    }
    async fn shout(&self, text: String) -> String {
        text.to_uppercase()
    }
    fn length(&self, text: &str) -> usize {
        text.len()
    }
}

fn main() {
    let dispatcher = Dispatcher::new(GeometryService::new(Shapes)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for protocol in [Protocol::XmlRpc, Protocol::JsonRpc] {
        let client = GeometryClient::new(InProcess::new(dispatcher.clone(), protocol));
        rt.block_on(async {
            let points = vec![Point { x: 0.0, y: 0.0 }, Point { x: 2.0, y: 4.0 }];
            let summary = client.summarize(points, "pair").await.unwrap();
            assert_eq!(
                summary,
                Summary {
                    count: 2,
                    centroid: Point { x: 1.0, y: 2.0 },
                    label: "pair".to_owned(),
                }
            );
            let mirrored = client.mirror(Point { x: 1.0, y: 1.0 }).await.unwrap();
            assert_eq!(mirrored, Point { x: -1.0, y: 1.0 });
            assert_eq!(client.shout("hi".to_owned()).await.unwrap(), "HI");
            assert_eq!(client.length("four").await.unwrap(), 4);
        });
    }
}
