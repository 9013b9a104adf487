// A rest parameter collects into a `Vec<T>`.

#[diglot::rpc]
pub trait Sums {
    fn sum(&self, #[rpc(rest)] terms: [i64; 4]) -> i64;
}

fn main() {}
