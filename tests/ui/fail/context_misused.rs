// The context is borrowed shared, once, and is never a wire parameter.

use diglot::Context;

#[diglot::rpc]
pub trait Audit {
    fn mutable(&self, ctx: &mut Context) -> i32;
    fn renamed(&self, #[rpc(name = "c")] ctx: &Context) -> i32;
    fn twice(&self, a: &Context, b: &diglot::Context) -> i32;
}

fn main() {}
