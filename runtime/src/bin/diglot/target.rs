//! Where calls go: the URL forms the command line takes, and a connection
//! to each in either protocol.

use std::path::PathBuf;
use std::time::Duration;

use diglot::{
    ClientError, Connection, HttpConnection, LocalName, Outgoing, Protocol, StreamConnection,
    TlsRoots,
};

/// A server, as named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `http://…` or `https://…`, kept whole.
    Http(String),
    /// `tcp://host:port`.
    Tcp(String),
    /// `unix:///path`, `unix://@name`, or a Windows pipe name.
    Local(String),
    /// `shm:///path` or `shm://@name`.
    Shm(String),
    /// `stdio:COMMAND ARGS…`, split as a shell would.
    Stdio(Vec<String>),
}

/// The URL forms, for messages.
pub(crate) const FORMS: &str = "http://HOST[:PORT]/PATH, https://…, tcp://HOST:PORT, unix:///PATH, \
     unix://@NAME, shm:///PATH, pipe:NAME (Windows), stdio:COMMAND [ARGS…]";

impl Target {
    /// Reads a target from its URL form.
    pub(crate) fn parse(text: &str) -> Result<Target, String> {
        let unknown = || format!("{text:?} is not a server address; expected one of {FORMS}");
        if text.starts_with(r"\\.\pipe\") {
            return Ok(Target::Local(text.to_owned()));
        }
        let Some((scheme, rest)) = text.split_once(':') else {
            return Err(unknown());
        };
        // `unix:///tmp/s` and `unix:/tmp/s` name the same socket.
        let local = |rest: &str| -> Result<String, String> {
            let name = rest.strip_prefix("//").unwrap_or(rest);
            if name.is_empty() {
                return Err(format!("{text:?} names no socket"));
            }
            Ok(name.to_owned())
        };
        match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" => Ok(Target::Http(text.to_owned())),
            "tcp" => {
                let addr = rest
                    .strip_prefix("//")
                    .unwrap_or(rest)
                    .trim_end_matches('/');
                if addr
                    .rsplit_once(':')
                    .is_none_or(|(host, _)| host.is_empty())
                {
                    return Err(format!("{text:?}: expected tcp://HOST:PORT"));
                }
                Ok(Target::Tcp(addr.to_owned()))
            }
            "unix" => Ok(Target::Local(local(rest)?)),
            "pipe" => Ok(Target::Local(local(rest)?)),
            "shm" => Ok(Target::Shm(local(rest)?)),
            "stdio" => {
                let words = shlex::split(rest)
                    .ok_or_else(|| format!("{text:?}: unbalanced quotes in the command"))?;
                if words.is_empty() {
                    return Err(format!("{text:?}: expected stdio:COMMAND [ARGS…]"));
                }
                Ok(Target::Stdio(words))
            }
            _ => Err(unknown()),
        }
    }
}

/// How to connect, beyond where.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectOptions {
    /// Bounds connecting, and each call.
    pub(crate) timeout: Option<Duration>,
    /// Headers for every HTTP request.
    pub(crate) headers: Vec<(String, String)>,
    /// Trust only these certificates for HTTPS.
    pub(crate) cacert: Option<PathBuf>,
}

/// A connection over any of the transports.
#[derive(Debug)]
pub(crate) enum AnyConnection {
    // One connection per run: its size does not matter.
    Http(Box<HttpConnection>),
    Stream(StreamConnection),
    #[cfg(target_os = "linux")]
    Shm(diglot::ShmConnection),
}

impl Connection for AnyConnection {
    fn protocol(&self) -> Protocol {
        match self {
            AnyConnection::Http(c) => c.protocol(),
            AnyConnection::Stream(c) => c.protocol(),
            #[cfg(target_os = "linux")]
            AnyConnection::Shm(c) => c.protocol(),
        }
    }

    async fn exchange(&self, request: Outgoing) -> Result<Vec<u8>, ClientError> {
        match self {
            AnyConnection::Http(c) => c.exchange(request).await,
            AnyConnection::Stream(c) => c.exchange(request).await,
            #[cfg(target_os = "linux")]
            AnyConnection::Shm(c) => c.exchange(request).await,
        }
    }
}

/// Connects to `target` speaking `protocol`, within the timeout.
pub(crate) async fn connect(
    target: &Target,
    protocol: Protocol,
    options: &ConnectOptions,
) -> Result<AnyConnection, ClientError> {
    let connecting = open(target, protocol, options);
    match options.timeout {
        None => connecting.await,
        Some(after) => tokio::time::timeout(after, connecting)
            .await
            .map_err(|_| ClientError::TimedOut { after })?,
    }
}

async fn open(
    target: &Target,
    protocol: Protocol,
    options: &ConnectOptions,
) -> Result<AnyConnection, ClientError> {
    Ok(match target {
        Target::Http(url) => {
            let mut connection = match &options.cacert {
                None => HttpConnection::new(url, protocol)?,
                Some(path) => {
                    let pem = std::fs::read(path).map_err(|e| {
                        ClientError::InvalidOption(format!("--cacert {}: {e}", path.display()))
                    })?;
                    let roots = TlsRoots::from_pem(&pem).map_err(|e| {
                        ClientError::InvalidOption(format!("--cacert {}: {e}", path.display()))
                    })?;
                    HttpConnection::with_roots(url, protocol, &roots)?
                }
            };
            for (name, value) in &options.headers {
                connection = connection.header(name, value)?;
            }
            AnyConnection::Http(Box::new(connection))
        }
        Target::Tcp(addr) => {
            let resolved = tokio::net::lookup_host(addr.as_str())
                .await?
                .next()
                .ok_or_else(|| {
                    ClientError::InvalidAddress(format!("{addr} resolves to nothing"))
                })?;
            AnyConnection::Stream(StreamConnection::tcp(resolved, protocol).await?)
        }
        Target::Local(name) => {
            AnyConnection::Stream(StreamConnection::local(&LocalName::parse(name), protocol).await?)
        }
        #[cfg(target_os = "linux")]
        Target::Shm(name) => AnyConnection::Shm(
            diglot::ShmConnection::connect(&LocalName::parse(name), protocol).await?,
        ),
        #[cfg(not(target_os = "linux"))]
        Target::Shm(_) => {
            return Err(ClientError::InvalidAddress(
                "shared memory is served on Linux only".to_owned(),
            ));
        }
        Target::Stdio(words) => {
            let mut command = tokio::process::Command::new(&words[0]);
            command.args(&words[1..]);
            // The child's log lines still reach the terminal.
            command.stderr(std::process::Stdio::inherit());
            AnyConnection::Stream(StreamConnection::spawn(command, protocol)?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn every_url_form_reads() {
        let cases = [
            (
                "http://127.0.0.1:8080/RPC2",
                Target::Http("http://127.0.0.1:8080/RPC2".into()),
            ),
            ("https://h/RPC2", Target::Http("https://h/RPC2".into())),
            ("tcp://127.0.0.1:7070", Target::Tcp("127.0.0.1:7070".into())),
            (
                "tcp://localhost:7070/",
                Target::Tcp("localhost:7070".into()),
            ),
            (
                "unix:///tmp/calc.sock",
                Target::Local("/tmp/calc.sock".into()),
            ),
            (
                "unix:/tmp/calc.sock",
                Target::Local("/tmp/calc.sock".into()),
            ),
            ("unix://@calc", Target::Local("@calc".into())),
            ("shm:///tmp/calc.shm", Target::Shm("/tmp/calc.shm".into())),
            ("pipe:calc", Target::Local("calc".into())),
            (r"\\.\pipe\calc", Target::Local(r"\\.\pipe\calc".into())),
            (
                "stdio:./calculator --stdio 'a b'",
                Target::Stdio(vec!["./calculator".into(), "--stdio".into(), "a b".into()]),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Target::parse(text), Ok(expected), "{text}");
        }
        for bad in [
            "localhost:8080",
            "ftp://x",
            "tcp://nohost",
            "unix://",
            "stdio:",
            "stdio:'",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
