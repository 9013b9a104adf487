// A rest parameter takes every parameter after the others, so nothing may
// follow it.

#[diglot::rpc]
pub trait Log {
    fn write(&self, #[rpc(rest)] lines: Vec<String>, level: i32);
}

fn main() {}
