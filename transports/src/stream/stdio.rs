//! [`StdioEndpoint`]: serving over the process's own stdin and stdout, as
//! language servers and tool servers run under a parent process.

use std::io::{self, Read as _};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf as _, Bytes};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

use super::StreamConfig;
use super::connection::{Origin, Resume, Watch, serve_frames};
use super::frames::{FrameReader, Framing};
use crate::Handler;
use crate::endpoint::{Address, BoundEndpoint, BoxFuture, Endpoint};
use crate::listen::StopSignal;

/// The process's stdin and stdout, for a parent process. Requests use
/// `Content-Length` framing or newline-delimited JSON, chosen from the first
/// bytes. It ends when stdin ends, or on a stop (calls read by then are
/// answered). Nothing else may write to stdout while it serves.
#[derive(Debug, Clone, Default)]
pub struct StdioEndpoint {
    config: StreamConfig,
}

impl StdioEndpoint {
    /// Stdin and stdout, default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the concurrency (the connection limit and first-byte timeout do
    /// not apply: a parent may take its time before the first request).
    #[must_use]
    pub fn config(mut self, config: StreamConfig) -> Self {
        self.config = config;
        self
    }
}

impl<H: Handler> Endpoint<H> for StdioEndpoint {
    fn bind(self: Box<Self>) -> BoxFuture<io::Result<Box<dyn BoundEndpoint<H>>>> {
        Box::pin(async move { Ok(self as Box<dyn BoundEndpoint<H>>) })
    }
}

impl<H: Handler> BoundEndpoint<H> for StdioEndpoint {
    fn transport(&self) -> &'static str {
        "stdio"
    }

    fn address(&self) -> Address {
        Address::Stdio
    }

    fn serve(self: Box<Self>, handler: Arc<H>, mut stop: StopSignal) -> BoxFuture<io::Result<()>> {
        Box::pin(async move {
            let mut reader = FrameReader::new(Stdin::spawn(), handler.max_body_bytes());
            let framing = tokio::select! {
                detected = reader.detect() => match detected? {
                    None => return Ok(()),
                    Some(Framing::Http) => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "HTTP is not served over stdio; use Content-Length framing",
                        ));
                    }
                    Some(framing) => framing,
                },
                () = stop.stopped() => return Ok(()),
            };
            let origin = Origin {
                transport: "stdio",
                caller: Default::default(),
            };
            serve_frames(
                reader,
                tokio::io::stdout(),
                framing,
                handler,
                &self.config,
                origin,
                Watch {
                    stop,
                    // One parent, never asked to make room.
                    activity: Arc::default(),
                },
                Resume::fresh(),
            )
            .await;
            Ok(())
        })
    }
}

/// The process's stdin, read on a thread of its own.
///
/// tokio's stdin reads on the runtime's blocking pool, and a runtime does
/// not shut down while a blocking read waits: a server stopped by a signal
/// while its parent keeps stdin open would never exit. A plain thread blocked
/// in `read` does not hold the process when `main` returns.
struct Stdin {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
}

impl Stdin {
    fn spawn() -> Self {
        // A few chunks ahead at most: the reader waits for the server.
        let (send, chunks) = mpsc::channel(4);
        let reader = send.clone();
        let spawned = std::thread::Builder::new()
            .name("diglot-stdin".into())
            .spawn(move || read_stdin(&reader));
        if let Err(e) = spawned {
            let _ = send.try_send(Err(e));
        }
        Stdin {
            chunks,
            chunk: Bytes::new(),
        }
    }
}

/// Sends stdin's bytes until it ends, fails, or nobody listens.
fn read_stdin(send: &mpsc::Sender<io::Result<Bytes>>) {
    let mut stdin = io::stdin().lock();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let read = match stdin.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => Ok(Bytes::copy_from_slice(&buf[..n])),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
        let failed = read.is_err();
        if send.blocking_send(read).is_err() || failed {
            return;
        }
    }
}

impl AsyncRead for Stdin {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        while self.chunk.is_empty() {
            match self.chunks.poll_recv(cx) {
                Poll::Ready(Some(Ok(chunk))) => self.chunk = chunk,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                // The thread ended: the end of stdin.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = self.chunk.len().min(buf.remaining());
        buf.put_slice(&self.chunk[..n]);
        self.chunk.advance(n);
        Poll::Ready(Ok(()))
    }
}
