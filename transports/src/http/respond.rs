//! One HTTP exchange: the checks HTTP asks for, then the handler.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Response, StatusCode};
use http_body_util::Full;

use super::HttpConfig;
use super::body::{self, BodyError};
use super::websocket::{self, Sessions, Watch};
use crate::seam::Caller;
use crate::{Handler, Message, Protocol};

/// A response with a status and a short plain-text reason.
pub(super) fn status(code: StatusCode, reason: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(reason.as_bytes())));
    *response.status_mut() = code;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The protocol a `Content-Type` names: `Ok(None)` for a missing or generic
/// type (the body decides), `Err` for a type diglot does not serve.
fn protocol_of(headers: &HeaderMap) -> Result<Option<Protocol>, ()> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(None);
    };
    // What nearly every client sends, without parsing.
    match value.as_bytes() {
        b"application/json" => return Ok(Some(Protocol::JsonRpc)),
        b"text/xml" => return Ok(Some(Protocol::XmlRpc)),
        _ => {}
    }
    let value = value.to_str().map_err(|_| ())?;
    let essence = value.split(';').next().unwrap_or("").trim();
    let is = |name: &str| essence.eq_ignore_ascii_case(name);
    let ends = |suffix: &str| {
        essence.len() > suffix.len()
            && essence[essence.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    if is("text/xml") || is("application/xml") || ends("+xml") {
        Ok(Some(Protocol::XmlRpc))
    } else if is("application/json")
        || is("application/json-rpc")
        || is("application/jsonrequest")
        || ends("+json")
    {
        Ok(Some(Protocol::JsonRpc))
    } else if essence.is_empty()
        || is("text/plain")
        || is("application/octet-stream")
        || is("application/x-www-form-urlencoded")
        || is("*/*")
    {
        Ok(None)
    } else {
        Err(())
    }
}

/// Whether the client accepts a gzip response (`Accept-Encoding: gzip`,
/// not refused with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

/// Whether the body is gzip-compressed; `Err` for an encoding diglot does
/// not read.
fn gzipped(headers: &HeaderMap) -> Result<bool, ()> {
    match headers
        .get(header::CONTENT_ENCODING)
        .map(HeaderValue::to_str)
    {
        None => Ok(false),
        Some(Ok(v)) if v.trim().eq_ignore_ascii_case("identity") => Ok(false),
        Some(Ok(v)) if v.trim().eq_ignore_ascii_case("gzip") => Ok(true),
        _ => Err(()),
    }
}

/// The most of a refused body read and dropped so that its client sees the
/// refusal (nginx's "lingering close"); a larger one gets the answer at once.
const LINGER_BYTES: u64 = 64 * 1024 * 1024;

/// The longest spent reading a refused body.
const LINGER_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether the client waits for `100 Continue` before sending its body.
fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"))
}

/// Reads a body to its end and drops it.
async fn discard<B>(body: B)
where
    B: hyper::body::Body<Data = Bytes>,
{
    use http_body_util::BodyExt as _;
    let mut body = std::pin::pin!(body);
    while let Some(Ok(_)) = body.frame().await {}
}

/// Answers one HTTP request. A body over the handler's limit is `413`,
/// refused before it is read when `Content-Length` says so.
pub(crate) async fn respond<H, B>(
    handler: &Arc<H>,
    config: &HttpConfig,
    transport: &'static str,
    caller: Caller,
    request: http::Request<B>,
    upgrades: (&Sessions, Watch),
) -> Response<Full<Bytes>>
where
    H: Handler,
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let (parts, body) = request.into_parts();
    if !config.serves(parts.uri.path()) {
        return status(StatusCode::NOT_FOUND, "no RPC endpoint at this path\n");
    }
    if config.websocket && parts.method == Method::GET && websocket::is_upgrade(&parts.headers) {
        let authority = parts.uri.authority().map(http::uri::Authority::as_str);
        if !super::origin::allowed(&parts.headers, authority, &config.origins) {
            return status(
                StatusCode::FORBIDDEN,
                "a page of another origin may not open a WebSocket here \
                 (see HttpConfig::allow_origins)\n",
            );
        }
        let (sessions, watch) = upgrades;
        let upgrade = |parts| websocket::Upgrade {
            handler: handler.clone(),
            transport,
            caller,
            head: Arc::new(parts),
            write_timeout: config.write_timeout,
        };
        return websocket::accept(
            http::Request::from_parts(parts, ()),
            upgrade,
            sessions,
            watch,
        );
    }
    if config.console && parts.method == Method::GET {
        return super::console::answer(&**handler, &parts);
    }
    if parts.method != Method::POST {
        let mut response = status(
            StatusCode::METHOD_NOT_ALLOWED,
            "send XML-RPC or JSON-RPC requests with POST\n",
        );
        let allow = if config.console { "GET, POST" } else { "POST" };
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        return response;
    }
    let Ok(protocol) = protocol_of(&parts.headers) else {
        return status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be text/xml or application/json\n",
        );
    };
    let Ok(gzipped) = gzipped(&parts.headers) else {
        return status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Encoding must be gzip or identity\n",
        );
    };
    let limit = handler.max_body_bytes();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared.filter(|&len| len > limit as u64) {
        // Refused before the body is used (and before `100 Continue`). A
        // client that sends the body anyway, without waiting (Python's
        // http.client), would meet a reset connection before reading this
        // answer: what it sends is read and dropped first, within bounds.
        if len <= LINGER_BYTES && !expects_continue(&parts.headers) {
            let _ = tokio::time::timeout(LINGER_TIME, discard(body)).await;
        }
        let mut response = status(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let read = body::read(body, limit, config.read_timeout).await;
    let read = read.and_then(|raw| {
        if gzipped {
            body::gunzip(&raw, limit).map(Bytes::from)
        } else {
            Ok(raw)
        }
    });
    let body = match read {
        Ok(body) => body,
        Err(e) => {
            let reason = match e {
                BodyError::TooLarge => "request body too large\n",
                BodyError::TooSlow => "request body not received in time\n",
                BodyError::Unreadable => "request body unreadable\n",
                BodyError::BadEncoding => "request body is not valid gzip\n",
            };
            return status(e.status(), reason);
        }
    };
    // The head goes to the handler with the body (a method may read a
    // header, or what a tower layer left in the extensions); an address
    // the server did not give comes from axum's `ConnectInfo`, when whoever
    // serves the router set it.
    let gzip_ok = accepts_gzip(&parts.headers);
    let remote = caller.remote.or_else(|| {
        (parts.extensions)
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0)
    });
    let message = Message::new(&body, transport)
        .protocol(protocol)
        .peer(caller.peer)
        .remote(remote)
        .process(caller.process)
        .http(std::sync::Arc::new(parts));
    let reply = handler.handle(message).await;
    if reply.body.is_empty() {
        // A JSON-RPC notification (or a batch of them): nothing to say. 200
        // with an empty body, not 204: clients such as jsonrpclib accept
        // only 200 and would fail on 204.
        return Response::new(Full::new(Bytes::new()));
    }
    let compress = reply.body.len() >= config.gzip_min_bytes && gzip_ok;
    let payload = if compress {
        body::gzip(&reply.body)
    } else {
        reply.body
    };
    let mut response = Response::new(Full::new(Bytes::from(payload)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.protocol.content_type()),
    );
    if compress {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), HeaderValue::from_str(v).unwrap()))
            .collect()
    }

    #[test]
    fn content_types_choose_the_protocol() {
        let ct = |v: &str| protocol_of(&headers(&[(header::CONTENT_TYPE, v)]));
        assert_eq!(ct("text/xml; charset=utf-8"), Ok(Some(Protocol::XmlRpc)));
        assert_eq!(ct("Application/JSON-RPC"), Ok(Some(Protocol::JsonRpc)));
        assert_eq!(ct("application/x-www-form-urlencoded"), Ok(None));
        assert_eq!(ct("image/png"), Err(()));
        assert_eq!(protocol_of(&HeaderMap::new()), Ok(None));
    }

    #[test]
    fn gzip_acceptance_respects_q_zero() {
        let ae = |v: &str| accepts_gzip(&headers(&[(header::ACCEPT_ENCODING, v)]));
        assert!(ae("gzip"));
        assert!(ae("deflate, gzip;q=0.3"));
        assert!(!ae("gzip;q=0"));
        assert!(!ae("identity"));
    }
}
