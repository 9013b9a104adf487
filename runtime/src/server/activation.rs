//! Listening sockets handed over by systemd or another supervisor (socket
//! activation), so that a server restarts without closing its port: while
//! no process accepts, new connections wait in the socket's backlog.

use std::io;
use std::sync::{Mutex, OnceLock, PoisonError};

use listenfd::ListenFd;

/// The sockets in `LISTEN_FDS`, each handed out once.
fn inherited() -> &'static Mutex<ListenFd> {
    static INHERITED: OnceLock<Mutex<ListenFd>> = OnceLock::new();
    INHERITED.get_or_init(|| Mutex::new(ListenFd::from_env()))
}

/// The listening TCP socket passed to this process at `index` (0 for the
/// first) by socket activation — systemd's `LISTEN_FDS` and `LISTEN_PID`, as
/// `systemd-socket-activate` and supervisors that speak the protocol pass
/// them — or `None` when there is none. Each index is handed out once; give
/// the socket to [`HttpEndpoint::from_listener`](crate::HttpEndpoint::from_listener)
/// or [`TcpEndpoint::from_listener`](crate::TcpEndpoint::from_listener).
///
/// ```no_run
/// # async fn demo(dispatcher: diglot::Dispatcher) -> std::io::Result<()> {
/// use diglot::{HttpEndpoint, Server};
///
/// let http = match diglot::inherited_tcp_listener(0)? {
///     Some(listener) => HttpEndpoint::from_listener(listener),
///     None => HttpEndpoint::new("127.0.0.1:8080".parse().unwrap()),
/// };
/// Server::new(dispatcher).endpoint(http).serve().await
/// # }
/// ```
pub fn inherited_tcp_listener(index: usize) -> io::Result<Option<std::net::TcpListener>> {
    inherited()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take_tcp_listener(index)
}
