#[diglot::rpc]
pub trait Introspect {
    #[rpc(name = "system.foo")]
    fn foo(&self) -> i32;
}

// One error for the namespace, not one per method.
#[diglot::rpc(namespace = "rpc")]
pub trait Discover {
    fn discover(&self) -> i32;
    fn describe(&self) -> String;
}

fn main() {}
