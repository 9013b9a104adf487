//! Named pipes on Windows, through `interprocess`.

use std::io;

use interprocess::local_socket::tokio::{Listener, Stream};
use interprocess::local_socket::traits::StreamCommon as _;
use interprocess::local_socket::traits::tokio::Listener as _;
use interprocess::local_socket::{GenericNamespaced, ListenerOptions, ToNsName};

/// Where a local socket lives: on Windows, a named pipe's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalName {
    /// A pipe name, as in `\\.\pipe\NAME`.
    Pipe(String),
}

impl LocalName {
    /// Reads a pipe name (with or without the `\\.\pipe\` prefix).
    pub fn parse(text: &str) -> Self {
        LocalName::Pipe(text.trim_start_matches(r"\\.\pipe\").to_owned())
    }
}

impl std::fmt::Display for LocalName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let LocalName::Pipe(name) = self;
        write!(f, r"\\.\pipe\{name}")
    }
}

/// A listening named pipe.
#[derive(Debug)]
pub struct LocalListener {
    listener: Listener,
}

impl LocalListener {
    /// Creates the pipe. `mode` has no meaning for pipes and is ignored;
    /// the pipe gets the default security descriptor.
    pub fn bind(name: &LocalName, _mode: u32) -> io::Result<Self> {
        let LocalName::Pipe(pipe) = name;
        if is_served(name) {
            return Err(in_use(name));
        }
        let ns_name = pipe.as_str().to_ns_name::<GenericNamespaced>()?;
        let listener = ListenerOptions::new()
            .name(ns_name)
            .create_tokio()
            .map_err(|e| match e.kind() {
                // The first instance is created with FILE_FLAG_FIRST_PIPE_INSTANCE,
                // which Windows refuses with ERROR_ACCESS_DENIED while another
                // server holds the name: never share a name with a live server.
                io::ErrorKind::PermissionDenied => in_use(name),
                _ => e,
            })?;
        Ok(LocalListener { listener })
    }

    /// Accepts a connection, with the id of the client's process (a named
    /// pipe reports no user or group).
    pub async fn accept(&self) -> io::Result<(Stream, Option<u32>)> {
        let stream = self.listener.accept().await?;
        let process = stream.peer_creds().ok().and_then(|creds| creds.pid());
        Ok((stream, process))
    }
}

/// Whether a server listens on `name`: opening the pipe as a client finds
/// a free instance, or all of them busy. Checked before creating the pipe,
/// as well as `FILE_FLAG_FIRST_PIPE_INSTANCE`, which not every Windows
/// implementation (Wine) enforces; the server sees a connection that
/// closes at once.
fn is_served(name: &LocalName) -> bool {
    /// `ERROR_PIPE_BUSY`: every instance of a live pipe is connected.
    const PIPE_BUSY: i32 = 231;
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_string())
    {
        Ok(_) => true,
        Err(e) => e.raw_os_error() == Some(PIPE_BUSY),
    }
}

fn in_use(name: &LocalName) -> io::Error {
    io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("a server is already listening on {name}"),
    )
}
