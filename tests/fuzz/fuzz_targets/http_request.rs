//! An HTTP request through the dispatcher's axum Router: method, path,
//! content type, content encoding, a declared length and the body, all
//! chosen by the input. Every answer is a status the HTTP chapter lists.
#![no_main]

use std::io::Write as _;

use axum::body::Body;
use http::Request;
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

const METHODS: [&str; 4] = ["POST", "GET", "PUT", "OPTIONS"];
const PATHS: [&str; 3] = ["/RPC2", "/", "/elsewhere"];
const TYPES: [Option<&str>; 6] = [
    Some("text/xml"),
    Some("application/json"),
    Some("text/plain"),
    Some("image/png"),
    Some("application/json; charset=\u{7f}"),
    None,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [choice, flags, body @ ..] = data else {
        return;
    };
    let mut request = Request::builder()
        .method(METHODS[usize::from(choice & 3)])
        .uri(PATHS[usize::from(choice >> 2) % PATHS.len()]);
    if let Some(content_type) = TYPES[usize::from(choice >> 4) % TYPES.len()] {
        request = request.header("content-type", content_type);
    }
    let body = if flags & 1 == 1 {
        // A gzip body: sometimes a real one, sometimes the raw bytes.
        request = request.header("content-encoding", "gzip");
        if flags & 2 == 2 {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(body).unwrap();
            gz.finish().unwrap()
        } else {
            body.to_vec()
        }
    } else {
        body.to_vec()
    };
    if flags & 4 == 4 {
        request = request.header("accept-encoding", "gzip");
    }
    let Ok(request) = request.body(Body::from(body)) else {
        return;
    };
    let router = diglot_fuzz::dispatcher().router();
    diglot_fuzz::runtime().block_on(async move {
        let response = router
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status().as_u16();
        assert!(
            [200, 400, 404, 405, 408, 413, 415].contains(&status),
            "unexpected status {status}"
        );
        let _ = response.into_body().collect().await;
    });
});
