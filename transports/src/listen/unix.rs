//! Unix domain sockets: a filesystem path (created with restrictive
//! permissions, a stale file reclaimed) or a Linux abstract name.

use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tokio::net::{UnixListener, UnixStream};

use crate::Peer;

/// Where a local socket lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalName {
    /// A socket file; access is controlled by its permissions.
    Path(PathBuf),
    /// A Linux abstract socket name: no file, and no permissions — any
    /// local process can connect.
    Abstract(String),
}

impl LocalName {
    /// Reads `@name` as an abstract name and anything else as a path.
    pub fn parse(text: &str) -> Self {
        match text.strip_prefix('@') {
            Some(name) => LocalName::Abstract(name.to_owned()),
            None => LocalName::Path(PathBuf::from(text)),
        }
    }
}

impl std::fmt::Display for LocalName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocalName::Path(path) => write!(f, "{}", path.display()),
            LocalName::Abstract(name) => write!(f, "@{name}"),
        }
    }
}

/// A listening Unix domain socket. Dropping it removes its socket file
/// (if the file is still the one it created).
#[derive(Debug)]
pub struct LocalListener {
    listener: UnixListener,
    /// The socket file and its inode, to remove on drop.
    file: Option<(PathBuf, u64)>,
}

impl LocalListener {
    /// Binds `name`. A socket file is created with `mode` (0o600 lets only
    /// the owner connect); a stale file left by a crashed server is
    /// reclaimed, but a live server's socket is never taken over.
    pub fn bind(name: &LocalName, mode: u32) -> io::Result<Self> {
        match name {
            LocalName::Path(path) => Self::bind_path(path, mode),
            LocalName::Abstract(name) => Self::bind_abstract(name),
        }
    }

    fn bind_path(path: &Path, mode: u32) -> io::Result<Self> {
        reclaim_stale(path)?;
        // Bind under a temporary name, restrict it, then move it into place:
        // nobody can connect in the moment before the mode is set.
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let file_name = path.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "a socket path needs a file name",
            )
        })?;
        let staging = dir.join(format!(
            ".{}.{}.binding",
            file_name.to_string_lossy(),
            std::process::id()
        ));
        let _ = std::fs::remove_file(&staging);
        let listener = UnixListener::bind(&staging)?;
        let placed = std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(mode))
            .and_then(|()| std::fs::rename(&staging, path));
        if let Err(e) = placed {
            let _ = std::fs::remove_file(&staging);
            return Err(e);
        }
        let inode = std::fs::metadata(path)?.ino();
        Ok(LocalListener {
            listener,
            file: Some((path.to_owned(), inode)),
        })
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn bind_abstract(name: &str) -> io::Result<Self> {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
        let listener = std::os::unix::net::UnixListener::bind_addr(&addr)?;
        listener.set_nonblocking(true)?;
        Ok(LocalListener {
            listener: UnixListener::from_std(listener)?,
            file: None,
        })
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn bind_abstract(_name: &str) -> io::Result<Self> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "abstract socket names exist only on Linux",
        ))
    }

    /// Accepts a connection, with the credentials of the process behind it.
    pub async fn accept(&self) -> io::Result<(UnixStream, Option<Peer>)> {
        let (stream, _) = self.listener.accept().await?;
        let peer =
            (stream.peer_cred().ok()).map(|cred| Peer::new(cred.uid(), cred.gid(), cred.pid()));
        Ok((stream, peer))
    }
}

impl Drop for LocalListener {
    fn drop(&mut self) {
        if let Some((path, inode)) = &self.file {
            // Only remove the file if it is still ours, not a successor's.
            if std::fs::metadata(path).is_ok_and(|m| m.ino() == *inode) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// Removes a socket file nobody listens on; refuses a live socket or a file
/// that is not a socket.
fn reclaim_stale(path: &Path) -> io::Result<()> {
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !metadata.file_type().is_socket() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a socket", path.display()),
        ));
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!("a server is already listening on {}", path.display()),
        )),
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => std::fs::remove_file(path),
        Err(e) => Err(e),
    }
}
