//! [`TcpSocket`]: where a TCP endpoint listens — an address to bind, or a
//! listening socket handed over already bound (socket activation).

use std::net::SocketAddr;

/// An address to bind, or a socket that is already listening.
#[derive(Debug)]
pub enum TcpSocket {
    /// Bind this address when the server binds (port 0 picks a free one).
    Addr(SocketAddr),
    /// Listen on this socket, bound elsewhere: inherited from systemd or
    /// another supervisor (socket activation), which keeps it open across
    /// restarts so that no connection is refused while the server restarts.
    Listener(std::net::TcpListener),
}

// Only TCP endpoints listen; a shared-memory-only build has none.
#[cfg(any(feature = "http", feature = "stream"))]
impl TcpSocket {
    /// The listener, bound now if it is an address; `what` names the
    /// endpoint in an error.
    pub(crate) async fn listen(self, what: &str) -> std::io::Result<tokio::net::TcpListener> {
        use std::io;
        use tokio::net::TcpListener;
        match self {
            TcpSocket::Addr(addr) => TcpListener::bind(addr).await.map_err(|e| {
                io::Error::new(e.kind(), format!("cannot listen for {what} on {addr}: {e}"))
            }),
            TcpSocket::Listener(listener) => {
                listener.set_nonblocking(true)?;
                TcpListener::from_std(listener)
            }
        }
    }
}
