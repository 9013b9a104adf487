//! The console ([`HttpConfig::console`](super::HttpConfig::console)): a page
//! to browse and call the methods from a browser, and the OpenRPC document
//! for a `GET` that asks for JSON.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::Full;

use super::respond::status;
use crate::Handler;

/// The page: HTML, CSS and script in one file, built into the binary.
const PAGE: &str = include_str!("console.html");

/// Whether the client asks for JSON rather than a page: it names a JSON
/// type and not HTML (browsers name `text/html` first).
fn wants_json(headers: &HeaderMap) -> bool {
    let accept: Vec<String> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    let json = accept
        .iter()
        .any(|t| t == "application/json" || t.ends_with("+json"));
    json && !accept.iter().any(|t| t == "text/html")
}

/// Answers a `GET` on an RPC path.
pub(crate) fn answer<H: Handler>(handler: &H, headers: &HeaderMap) -> Response<Full<Bytes>> {
    let (body, content_type) = if wants_json(headers) {
        match handler.describe() {
            Some(document) => (Bytes::from(document), "application/json"),
            None => {
                return status(
                    StatusCode::NOT_FOUND,
                    "this service publishes no OpenRPC document\n",
                );
            }
        }
    } else {
        (
            Bytes::from_static(PAGE.as_bytes()),
            "text/html; charset=utf-8",
        )
    };
    let mut response = Response::new(Full::new(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The page talks to its own origin only, and is never framed by another
    // site (which could otherwise trick a user into calling methods).
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::VARY, HeaderValue::from_static("accept"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn browsers_get_the_page_and_json_clients_the_document() {
        let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(!wants_json(&accept(chrome)));
        assert!(wants_json(&accept("application/json")));
        assert!(wants_json(&accept("application/openrpc+json, */*;q=0.1")));
        assert!(!wants_json(&accept("*/*")));
        assert!(!wants_json(&HeaderMap::new()));
    }
}
