#[diglot::rpc]
pub trait Store {
    type Item;

    fn get(&self, id: i32) -> String;
}

fn main() {}
