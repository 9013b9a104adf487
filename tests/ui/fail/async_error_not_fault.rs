// An async method's error type must convert into a fault, as a sync one's;
// the server is used as it would be, and the error is still at the type.

#[derive(Debug)]
pub struct Timeout;

#[diglot::rpc]
pub trait Jobs {
    async fn wait(&self, seconds: u32) -> Result<(), Timeout>;
}

struct Runner;

impl Jobs for Runner {
    async fn wait(&self, _seconds: u32) -> Result<(), Timeout> {
        Err(Timeout)
    }
}

fn main() {
    let _ = diglot::Dispatcher::new(JobsService::new(Runner));
}
