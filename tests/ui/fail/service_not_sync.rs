use std::cell::Cell;

#[diglot::rpc]
pub trait Counter {
    fn next(&self) -> u64;
}

struct Local {
    count: Cell<u64>,
}

impl Counter for Local {
    fn next(&self) -> u64 {
        self.count.replace(self.count.get() + 1)
    }
}

fn main() {
    let service = Local {
        count: Cell::new(0),
    };
    let _ = diglot::Dispatcher::new(CounterService::new(service));
}
