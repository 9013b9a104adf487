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

/// The page's content security policy. It talks to its own origin only —
/// `fetch` for calls, a WebSocket for subscriptions — and is never framed by
/// another site (which could otherwise trick a user into calling methods).
///
/// CSP Level 3 lets `'self'` match the page's own `ws:`/`wss:` origin, but
/// not every browser in use implements that, so the WebSocket origin is
/// also named, from the authority the browser asked for (the request's
/// `Host`). That value comes from the browser that reads this header, so it
/// can only loosen its own page; it is still checked to be a plain host and
/// port, so that it cannot add sources or directives, and left out when it
/// is not (an IPv6 literal, which CSP cannot name: `'self'` alone then).
/// `ws: wss:` would be simpler but would let the page reach any host.
fn policy(authority: Option<&str>) -> HeaderValue {
    let sockets = authority
        .filter(|a| plain_authority(a))
        .map(|a| format!(" ws://{a} wss://{a}"))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
         connect-src 'self'{sockets}; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

/// Whether `authority` is `host` or `host:port` with a host of DNS labels
/// (or IPv4 digits): what a CSP host source may hold.
fn plain_authority(authority: &str) -> bool {
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let label = |l: &str| {
        !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    host.len() <= 253 && host.split('.').all(label) && port_ok
}

/// Answers a `GET` on an RPC path.
pub(crate) fn answer<H: Handler>(
    handler: &H,
    request: &http::request::Parts,
) -> Response<Full<Bytes>> {
    let headers = &request.headers;
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
    // HTTP/2 carries the authority in the URI, HTTP/1.1 in `Host`. The
    // policy differs by host, which caches key on already.
    let authority = request
        .uri
        .authority()
        .map(|a| a.as_str())
        .or_else(|| request.headers.get(header::HOST)?.to_str().ok());
    headers.insert(header::CONTENT_SECURITY_POLICY, policy(authority));
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

    #[test]
    fn the_policy_names_the_websocket_origin_only_for_a_plain_host() {
        let csp = |authority| policy(authority).to_str().unwrap().to_owned();
        assert!(csp(Some("127.0.0.1:8080")).contains(
            "connect-src 'self' ws://127.0.0.1:8080 wss://127.0.0.1:8080; frame-ancestors 'none'"
        ));
        assert!(
            csp(Some("rpc.example.com")).contains("ws://rpc.example.com wss://rpc.example.com;")
        );
        for odd in [
            "evil.example; script-src *",
            "a b",
            "user@host",
            "[::1]:8080",
            "host:",
            "host:123456",
            "",
            "a..b",
        ] {
            assert!(csp(Some(odd)).contains("connect-src 'self'; "), "{odd}");
        }
        assert!(csp(None).contains("connect-src 'self'; "));
    }
}
