// `&Context` anywhere among the parameters, in sync and async methods, with
// a rest parameter; the typed client's methods leave it out.

use diglot::Context;

#[diglot::rpc(namespace = "c")]
pub trait Contextual {
    fn first(&self, ctx: &Context, n: i32) -> String;
    fn last(&self, n: i32, ctx: &diglot::Context) -> String;
    async fn later(&self, ctx: &Context) -> String;
    fn spread(&self, ctx: &Context, #[rpc(rest)] values: Vec<i32>) -> usize;
}

#[allow(dead_code)]
async fn call_it(client: &ContextualClient<diglot::InProcess>) {
    let _ = client.first(1).await;
    let _ = client.last(2).await;
    let _ = client.later().await;
    let _ = client.spread(vec![1, 2]).await;
}

fn main() {}
