//! Reading a request body within the limits: size (declared and actual),
//! time, and gzip expansion.

use std::io::Read;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::BodyExt;

/// Why a body was not read; each maps to an HTTP status.
#[derive(Debug)]
pub(crate) enum BodyError {
    TooLarge,
    TooSlow,
    Unreadable,
    BadEncoding,
}

impl BodyError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            BodyError::Unreadable | BodyError::BadEncoding => StatusCode::BAD_REQUEST,
        }
    }
}

/// Reads the whole body, giving up past `limit` bytes or after `timeout`.
///
/// A small request's body usually comes in one frame with its head; that
/// frame is then the body, neither copied nor collected into a list.
pub(crate) async fn read<B>(body: B, limit: usize, timeout: Duration) -> Result<Bytes, BodyError>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let collect = async {
        let mut body = std::pin::pin!(body);
        let mut first = Bytes::new();
        let mut joined: Option<Vec<u8>> = None;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| BodyError::Unreadable)?;
            let Ok(data) = frame.into_data() else {
                continue; // trailers
            };
            let len = joined.as_ref().map_or(first.len(), Vec::len) + data.len();
            if len > limit {
                return Err(BodyError::TooLarge);
            }
            match &mut joined {
                Some(joined) => joined.extend_from_slice(&data),
                None if first.is_empty() => first = data,
                None => {
                    let mut both = Vec::with_capacity(len);
                    both.extend_from_slice(&first);
                    both.extend_from_slice(&data);
                    joined = Some(both);
                }
            }
        }
        Ok(joined.map_or(first, Bytes::from))
    };
    tokio::time::timeout(timeout, collect)
        .await
        .map_err(|_| BodyError::TooSlow)?
}

pub(crate) fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(limit));
    flate2::read::GzDecoder::new(body)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| BodyError::BadEncoding)?;
    if out.len() > limit {
        return Err(BodyError::TooLarge);
    }
    Ok(out)
}

/// Compresses a response body.
pub(crate) fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    encoder.write_all(body).expect("writing to a Vec");
    encoder.finish().expect("writing to a Vec")
}
