//! Serving over the process's own stdin and stdout, as language servers and
//! tool servers run under a parent process.

use std::io;
use std::sync::Arc;

use tokio::sync::watch;

use super::StreamConfig;
use super::connection::{Origin, serve_frames};
use super::frames::{FrameReader, Framing};
use crate::Handler;

/// Serves `handler` on stdin/stdout until stdin ends. Requests use
/// `Content-Length` framing or newline-delimited JSON, chosen from the first
/// bytes. Nothing else may write to stdout while this runs.
pub async fn serve_stdio<H: Handler>(handler: Arc<H>, config: StreamConfig) -> io::Result<()> {
    let mut reader = FrameReader::new(tokio::io::stdin(), config.max_body_bytes);
    // A parent may take its time before the first request: no timeout here.
    let framing = match reader.detect().await? {
        None => return Ok(()),
        Some(Framing::Http) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "HTTP is not served over stdio; use Content-Length framing",
            ));
        }
        Some(framing) => framing,
    };
    let (_keep, never) = watch::channel(false);
    let origin = Origin {
        transport: "stdio",
        peer: None,
    };
    serve_frames(
        reader,
        tokio::io::stdout(),
        framing,
        handler,
        &config,
        origin,
        never,
    )
    .await;
    Ok(())
}
