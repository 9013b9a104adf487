//! Accept loops for TCP and local sockets: a connection limit, and a stop
//! that lets every connection finish the calls it has in flight.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

use super::StreamConfig;
use super::connection::{Origin, serve_connection};
use crate::{Handler, Peer};

/// Serves `handler` over raw TCP until `shutdown` resolves.
pub async fn serve_tcp<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    config: StreamConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    #[cfg(unix)]
    if config.thread_per_connection {
        let accept = || async {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let stream = stream.into_std()?;
            stream.set_nonblocking(false)?;
            Ok((stream, None))
        };
        return super::threaded::accept_loop(handler, config, shutdown, "tcp", accept).await;
    }
    let accept = || async {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        Ok((stream, None))
    };
    accept_loop(handler, config, shutdown, "tcp", accept).await
}

/// Serves `handler` on a local socket (a Unix domain socket, or a named
/// pipe on Windows) until `shutdown` resolves.
pub async fn serve_local<H: Handler>(
    listener: super::LocalListener,
    handler: Arc<H>,
    config: StreamConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    #[cfg(unix)]
    if config.thread_per_connection {
        let accept = || async {
            let (stream, peer) = listener.accept().await?;
            let stream = stream.into_std()?;
            stream.set_nonblocking(false)?;
            Ok((stream, peer))
        };
        return super::threaded::accept_loop(handler, config, shutdown, "unix", accept).await;
    }
    accept_loop(handler, config, shutdown, "unix", || listener.accept()).await
}

async fn accept_loop<H, A, F, IO>(
    handler: Arc<H>,
    config: StreamConfig,
    shutdown: impl Future<Output = ()> + Send,
    transport: &'static str,
    mut accept: A,
) -> io::Result<()>
where
    H: Handler,
    A: FnMut() -> F,
    F: Future<Output = io::Result<(IO, Option<Peer>)>>,
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let config = Arc::new(config);
    let (stop, stopped) = watch::channel(false);
    let permits = Arc::new(Semaphore::new(config.max_connections));
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let Some((permit, (io, peer))) =
            next_connection(&permits, &mut accept, shutdown.as_mut(), transport).await
        else {
            break;
        };
        let origin = Origin { transport, peer };
        let connection =
            serve_connection(io, handler.clone(), config.clone(), origin, stopped.clone());
        connections.spawn(async move {
            let _permit = permit;
            connection.await;
        });
    }
    // Stop reading new calls everywhere; answer the ones in flight.
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// Waits for a free connection slot, then for a connection; `None` once
/// `shutdown` resolves. A failed accept is logged and retried after a pause,
/// so a shortage of descriptors does not spin.
pub(crate) async fn next_connection<A, F, T, S>(
    permits: &Arc<Semaphore>,
    accept: &mut A,
    mut shutdown: Pin<&mut S>,
    transport: &'static str,
) -> Option<(OwnedSemaphorePermit, T)>
where
    A: FnMut() -> F,
    F: Future<Output = io::Result<T>>,
    S: Future<Output = ()>,
{
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = shutdown.as_mut() => return None,
        };
        tokio::select! {
            accepted = accept() => match accepted {
                Ok(connection) => return Some((permit, connection)),
                Err(e) => {
                    tracing::warn!(error = %e, transport, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = shutdown.as_mut() => return None,
        }
    }
}
