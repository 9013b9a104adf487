//! [`StdioEndpoint`]: serving over the process's own stdin and stdout, as
//! language servers and tool servers run under a parent process.

use std::io;
use std::sync::Arc;

use super::StreamConfig;
use super::connection::{Origin, serve_frames};
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
            let mut reader = FrameReader::new(tokio::io::stdin(), handler.max_body_bytes());
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
                peer: None,
            };
            serve_frames(
                reader,
                tokio::io::stdout(),
                framing,
                handler,
                &self.config,
                origin,
                stop,
            )
            .await;
            Ok(())
        })
    }
}
