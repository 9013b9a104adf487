use std::rc::Rc;

#[diglot::rpc]
pub trait Counter {
    async fn next(&self) -> u64;
}

struct Local;

async fn tick() {}

impl Counter for Local {
    async fn next(&self) -> u64 {
        let shared = Rc::new(1);
        tick().await;
        *shared
    }
}

fn main() {
    let _ = diglot::Dispatcher::new(CounterService::new(Local));
}
