//! Which browser pages may open a WebSocket: a page's `Origin` must be the
//! server's own, or one the configuration allows.
//!
//! Browsers apply no same-origin policy to WebSocket: any page a user
//! visits may open one to a server the user's machine can reach (an
//! internal network, `localhost`) and call its methods with the user's
//! cookies and network position. A browser always names the page's origin
//! in `Origin`, which the page cannot forge; clients that are not browsers
//! send none and are not asked. (`POST` needs no such check: a page can
//! send `text/xml` or `application/json` elsewhere only after a CORS
//! preflight, which the endpoint never grants.)

use http::HeaderMap;
use http::header::{HOST, ORIGIN};

/// Whether an upgrade with these headers may proceed: no `Origin`, an
/// `Origin` whose host and port are the ones the request was sent to
/// (`Host`, or the URI's authority under HTTP/2), or one in `allowed`
/// (`*` allows every origin).
pub(crate) fn allowed(headers: &HeaderMap, authority: Option<&str>, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim();
    if allowed
        .iter()
        .any(|a| a == "*" || a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    // `null` (a sandboxed page, a file) or anything without a host.
    let Some((_, origin_host)) = origin.split_once("://") else {
        return false;
    };
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or(authority);
    host.is_some_and(|host| host.trim().eq_ignore_ascii_case(origin_host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(origin) = origin {
            headers.insert(ORIGIN, origin.parse().unwrap());
        }
        if let Some(host) = host {
            headers.insert(HOST, host.parse().unwrap());
        }
        headers
    }

    #[test]
    fn a_page_of_the_server_itself_and_clients_that_are_not_browsers_pass() {
        let same = headers(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080"));
        assert!(allowed(&same, None, &[]));
        let cased = headers(Some("https://Example.COM"), Some("example.com"));
        assert!(allowed(&cased, None, &[]));
        assert!(allowed(&headers(None, Some("example.com")), None, &[]));
        let http2 = headers(Some("https://example.com:8443"), None);
        assert!(allowed(&http2, Some("example.com:8443"), &[]));
    }

    #[test]
    fn another_site_a_null_origin_or_another_port_is_refused_unless_allowed() {
        let other = headers(Some("https://evil.example"), Some("127.0.0.1:8080"));
        assert!(!allowed(&other, None, &[]));
        assert!(allowed(&other, None, &["https://evil.example/".to_owned()]));
        assert!(allowed(&other, None, &["*".to_owned()]));
        let port = headers(Some("http://127.0.0.1:9999"), Some("127.0.0.1:8080"));
        assert!(!allowed(&port, None, &[]));
        let null = headers(Some("null"), Some("127.0.0.1:8080"));
        assert!(!allowed(&null, None, &[]));
        let no_host = headers(Some("http://127.0.0.1:8080"), None);
        assert!(!allowed(&no_host, None, &[]));
    }
}
