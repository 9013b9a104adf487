#[diglot::rpc]
pub trait Echo {
    fn echo(&self, value: impl serde::Serialize) -> String;
    fn make(&self) -> impl serde::Serialize;
}

fn main() {}
