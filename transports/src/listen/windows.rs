//! Named pipes on Windows, through `interprocess`.

use std::io;

use interprocess::local_socket::tokio::{Listener, Stream};
use interprocess::local_socket::traits::tokio::Listener as _;
use interprocess::local_socket::{GenericNamespaced, ListenerOptions, ToNsName};

use crate::Peer;

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
        let name = pipe.as_str().to_ns_name::<GenericNamespaced>()?;
        let listener = ListenerOptions::new().name(name).create_tokio()?;
        Ok(LocalListener { listener })
    }

    /// Accepts a connection; named pipes report no peer credentials here.
    pub async fn accept(&self) -> io::Result<(Stream, Option<Peer>)> {
        Ok((self.listener.accept().await?, None))
    }
}
