//! Messages larger than a ring, and the limits on message size.
//!
//! * `calc.echo` of a `diglot::Bytes` of 64 MiB comes back intact over
//!   XML-RPC (each way a message of about 85 MB once base64-encoded,
//!   through rings of 256 KiB), and one of 16 MiB over JSON-RPC, on a
//!   server whose body limit is raised to 96 MiB;
//! * with rings of 4 KiB, a 1 MiB string and an empty-ish call both pass;
//! * a request larger than the server reads fails at once on the client,
//!   with nothing sent, and the connection still works;
//! * a response larger than the client reads fails that call with
//!   `TooLarge`, and the connection is then reported broken.

#![cfg(target_os = "linux")]

mod shm_support;

use std::time::Instant;

use diglot::ShmConfig;
use diglot::{Bytes, Client, ClientError, Limits, Protocol, ShmConnection};
use shm_support::InProcess;

/// Bytes that do not repeat with any short period.
fn payload(size: usize) -> Bytes {
    Bytes::from(
        (0..size / 8)
            .flat_map(|i: usize| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes())
            .collect::<Vec<u8>>(),
    )
}

#[test]
fn a_64_mib_echo_comes_back_intact() {
    let limit = 96 << 20;
    let server = InProcess::with(Limits::default().max_body_bytes(limit), |endpoint| endpoint);
    // XML-RPC carries 64 MiB (`<base64>`); JSON-RPC, whose codec is slower
    // on a base64 string in a debug build, 16 MiB: still 85 and 21 MB
    // messages each way, hundreds of ring-fulls.
    for (protocol, size) in [(Protocol::XmlRpc, 64 << 20), (Protocol::JsonRpc, 16 << 20)] {
        let payload = payload(size);
        let config = ShmConfig::default().max_response_bytes(limit);
        let client = Client::new(
            ShmConnection::connect_blocking_with(&server.name, protocol, config).unwrap(),
        );
        let started = Instant::now();
        let echoed: Bytes = client
            .call_blocking("calc.echo", &(&payload,))
            .unwrap_or_else(|e| panic!("{protocol:?}: {e}"));
        println!(
            "{protocol:?}: {} MiB echoed in {:?}",
            size >> 20,
            started.elapsed()
        );
        assert_eq!(echoed.len(), size, "{protocol:?}");
        assert!(echoed == payload, "{protocol:?}: the echo differs");
    }
}

#[test]
fn tiny_rings_still_carry_any_message() {
    let server = InProcess::with(Limits::default(), |endpoint| {
        endpoint.config(ShmConfig::default().ring_bytes(4096))
    });
    let client =
        Client::new(ShmConnection::connect_blocking(&server.name, Protocol::XmlRpc).unwrap());
    let text = "0123456789abcdef".repeat(1 << 16);
    for _ in 0..3 {
        let echoed: String = client.call_blocking("calc.echo", &(&text,)).unwrap();
        assert_eq!(echoed, text);
        let sum: i32 = client.call_blocking("calc.add", &(1, 2)).unwrap();
        assert_eq!(sum, 3);
    }
}

#[test]
fn a_request_over_the_servers_limit_fails_without_being_sent() {
    let server = InProcess::with(Limits::default().max_body_bytes(1 << 20), |endpoint| {
        endpoint
    });
    let client =
        Client::new(ShmConnection::connect_blocking(&server.name, Protocol::JsonRpc).unwrap());
    assert_eq!(
        client.connection().shm_client().max_request_bytes(),
        1 << 20
    );
    let text = "x".repeat(2 << 20);
    let error = client
        .call_blocking::<_, String>("calc.echo", &(&text,))
        .unwrap_err();
    assert!(
        matches!(error, ClientError::TooLarge { limit, .. } if limit == 1 << 20),
        "{error}"
    );
    let sum: i32 = client.call_blocking("calc.add", &(1, 2)).unwrap();
    assert_eq!(sum, 3, "the connection still works");
}

#[test]
fn a_response_over_the_clients_limit_ends_the_connection() {
    let server = InProcess::new();
    let config = ShmConfig::default().max_response_bytes(64 << 10);
    let client = Client::new(
        ShmConnection::connect_blocking_with(&server.name, Protocol::JsonRpc, config).unwrap(),
    );
    let sum: i32 = client.call_blocking("calc.add", &(1, 2)).unwrap();
    assert_eq!(sum, 3);
    // The request fits the server; its echo does not fit this client.
    let text = "y".repeat(100 << 10);
    let error = client
        .call_blocking::<_, String>("calc.echo", &(&text,))
        .unwrap_err();
    assert!(
        matches!(error, ClientError::TooLarge { limit, .. } if limit == 64 << 10),
        "{error}"
    );
    let error = client
        .call_blocking::<_, i32>("calc.add", &(1, 2))
        .unwrap_err();
    assert!(matches!(error, ClientError::Closed(_)), "{error}");
    // The server serves others.
    let other =
        Client::new(ShmConnection::connect_blocking(&server.name, Protocol::JsonRpc).unwrap());
    let sum: i32 = other.call_blocking("calc.add", &(2, 2)).unwrap();
    assert_eq!(sum, 4);
}
