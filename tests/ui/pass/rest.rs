// A rest parameter alone, after others, of any element type the protocols
// carry; the typed client takes the `Vec`.

#[diglot::rpc(namespace = "r")]
pub trait Rest {
    fn sum(&self, #[rpc(rest)] terms: Vec<i64>) -> i64;
    fn tag(&self, name: String, #[rpc(rest, name = "values")] items: std::vec::Vec<diglot::Value>);
    async fn later(&self, first: i32, #[rpc(rest)] others: Vec<Option<String>>) -> usize;
}

fn main() {}
