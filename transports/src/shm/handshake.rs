//! The handshake on the local socket: the server creates a sealed memfd
//! and sends it with `SCM_RIGHTS` and a hello describing it; the client
//! checks the hello, the seals and the size before it maps anything.
//!
//! The socket stays open for the life of the connection, carrying nothing
//! more: its end is how each side learns that the other has gone.

use std::io::{self, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;

use rustix::io::Errno;
use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, ReturnFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags,
};

use super::layout::{HELLO_BYTES, Hello, invalid};
use super::mapping::SealedMemfd;
use super::ring::{Rings, Role};

/// One side of an established connection: the handshake socket and the
/// rings. Dropping it closes the socket and wakes the peer, which then
/// sees the socket's end at once instead of at its next timeout.
#[derive(Debug)]
pub(crate) struct Session {
    /// The handshake socket, kept open to tell that the peer is alive.
    pub(crate) socket: UnixStream,
    /// The rings.
    pub(crate) rings: Rings,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.socket.shutdown(std::net::Shutdown::Both);
        self.rings.wake_peer();
    }
}

/// Server side: creates a memfd for `hello`'s layout, seals it, sends it
/// with the hello, and maps it.
pub(crate) fn offer(socket: UnixStream, hello: &Hello) -> io::Result<Session> {
    let memfd = SealedMemfd::create(hello.layout.total_bytes())?;
    let bytes = hello.encode();
    let fds = [memfd.as_fd()];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if !control.push(SendAncillaryMessage::ScmRights(&fds)) {
        return Err(io::Error::other("no room for the memfd in the message"));
    }
    let sent = rustix::net::sendmsg(
        &socket,
        &[IoSlice::new(&bytes)],
        &mut control,
        SendFlags::NOSIGNAL,
    )?;
    if sent != bytes.len() {
        return Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "the hello was cut short",
        ));
    }
    let rings = Rings::new(memfd.map()?, hello.layout, Role::Server);
    Ok(Session { socket, rings })
}

/// Client side: receives the hello and the memfd, checks them, and maps
/// the memory. The socket's read timeout bounds the wait.
pub(crate) fn accept(socket: UnixStream) -> io::Result<(Hello, Session)> {
    let mut bytes = [0u8; HELLO_BYTES];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(4))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let received = rustix::net::recvmsg(
        &socket,
        &mut [IoSliceMut::new(&mut bytes)],
        &mut control,
        RecvFlags::CMSG_CLOEXEC,
    )
    .map_err(handshake_error)?;
    // Take every descriptor that came, so that extra ones are closed.
    let mut fds: Vec<OwnedFd> = Vec::new();
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(received) = message {
            fds.extend(received);
        }
    }
    if received.flags.contains(ReturnFlags::CTRUNC) {
        return Err(invalid(
            "the server sent more descriptors than expected".into(),
        ));
    }
    let mut filled = received.bytes;
    while filled < HELLO_BYTES {
        let (_, n) = rustix::net::recv(&socket, &mut bytes[filled..], RecvFlags::empty())
            .map_err(handshake_error)?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    if filled == 0 {
        return Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "the server closed the connection during the handshake",
        ));
    }
    let hello = Hello::decode(&bytes[..filled])?;
    let fd = match <[OwnedFd; 1]>::try_from(fds) {
        Ok([fd]) => fd,
        Err(fds) => {
            return Err(invalid(format!(
                "the server sent {} descriptors with its hello, not 1",
                fds.len()
            )));
        }
    };
    let memfd = SealedMemfd::verify(fd, hello.layout.total_bytes())?;
    let rings = Rings::new(memfd.map()?, hello.layout, Role::Client);
    Ok((hello, Session { socket, rings }))
}

fn handshake_error(errno: Errno) -> io::Error {
    if errno == Errno::AGAIN {
        io::Error::new(
            io::ErrorKind::TimedOut,
            "the server sent no shared-memory hello in time",
        )
    } else {
        errno.into()
    }
}

#[cfg(test)]
mod tests {
    use super::super::layout::Layout;
    use super::*;

    #[test]
    fn the_client_maps_what_the_server_offers() {
        let (a, b) = UnixStream::pair().unwrap();
        let hello = Hello {
            layout: Layout::with_rings(8192),
            max_request_bytes: 1 << 20,
        };
        let _server = offer(a, &hello).unwrap();
        let (got, _client) = accept(b).unwrap();
        assert_eq!(got, hello);
    }

    #[test]
    fn a_hello_without_a_descriptor_is_refused() {
        use std::io::Write as _;
        let (mut a, b) = UnixStream::pair().unwrap();
        let hello = Hello {
            layout: Layout::with_rings(8192),
            max_request_bytes: 1 << 20,
        };
        a.write_all(&hello.encode()).unwrap();
        let error = accept(b).unwrap_err();
        assert!(error.to_string().contains("0 descriptors"), "{error}");
    }

    #[test]
    fn a_silent_server_times_out() {
        let (_a, b) = UnixStream::pair().unwrap();
        b.set_read_timeout(Some(std::time::Duration::from_millis(50)))
            .unwrap();
        let error = accept(b).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }
}
