#[diglot::rpc]
pub trait Store {
    #[rpc(name = "get")]
    fn get_item(&self, id: i32) -> String;

    #[rpc(name = "get")]
    fn get_other(&self, id: i32) -> String;
}

fn main() {}
