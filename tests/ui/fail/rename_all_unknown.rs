#[diglot::rpc(rename_all = "Camel")]
pub trait Validator {
    fn easy_struct_test(&self) -> i32;
}

fn main() {}
