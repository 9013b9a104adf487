//! [`Served`]: a bound server serving on a runtime until stopped or dropped,
//! the one fixture every transport's tests start a server with.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use diglot::transport::{Address, Handler};
use diglot::{LocalName, Server, ServerHandle};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// A server serving on a runtime until [`stop`](Self::stop)ped or dropped.
#[derive(Debug)]
pub struct Served {
    addresses: Vec<(&'static str, Address)>,
    handle: ServerHandle,
    served: Option<JoinHandle<io::Result<()>>>,
    runtime: tokio::runtime::Handle,
}

impl Served {
    /// Binds `server` on `rt` and serves it there.
    pub fn start<H: Handler>(rt: &Runtime, server: Server<H>) -> io::Result<Served> {
        let bound = rt.block_on(server.bind())?;
        let addresses = bound.addresses();
        let handle = bound.handle();
        let served = rt.spawn(bound.serve_until(std::future::pending()));
        Ok(Served {
            addresses,
            handle,
            served: Some(served),
            runtime: rt.handle().clone(),
        })
    }

    /// The first TCP address of `transport` (`http`, `https`, `tcp`).
    pub fn addr(&self, transport: &str) -> SocketAddr {
        self.addresses
            .iter()
            .find_map(|(t, address)| match address {
                Address::Socket(addr) if *t == transport => Some(*addr),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {transport} endpoint among {:?}", self.addresses))
    }

    /// The first local name of `transport` (`unix`, `pipe`, `shm`).
    pub fn name(&self, transport: &str) -> LocalName {
        self.addresses
            .iter()
            .find_map(|(t, address)| match address {
                Address::Local(name) if *t == transport => Some(name.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {transport} endpoint among {:?}", self.addresses))
    }

    /// Every endpoint's transport name and address, in the order added.
    pub fn addresses(&self) -> &[(&'static str, Address)] {
        &self.addresses
    }

    /// A handle that stops the server.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Whether `serve_until` is still running (it has not returned or
    /// panicked).
    pub fn is_serving(&self) -> bool {
        self.served.as_ref().is_some_and(|s| !s.is_finished())
    }

    /// Stops the server and waits (at most 10 s) for `serve_until` to
    /// return. Call it from outside the runtime.
    pub fn stop(self) -> io::Result<()> {
        self.stop_within(Duration::from_secs(10))
    }

    /// [`stop`](Self::stop), waiting at most `limit`.
    pub fn stop_within(mut self, limit: Duration) -> io::Result<()> {
        self.handle.stop();
        let served = self.served.take().expect("not stopped yet");
        self.runtime
            .block_on(async { tokio::time::timeout(limit, served).await })
            .unwrap_or_else(|_| panic!("serve_until returns within {limit:?} of the stop"))
            .expect("the server task did not panic")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.handle.stop();
    }
}
