//! 10 000 shared-memory connections opened and closed leave nothing
//! behind in the server's process: the same open descriptors
//! (`/proc/self/fd`), no connection memfd still mapped and no other
//! mappings past a small bound (`/proc/self/maps`), and no connection
//! thread left; and the server still serves. Every hundredth connection
//! makes a call before it closes; a few close before the handshake is
//! read, or right after it without a call.

#![cfg(target_os = "linux")]

mod shm_support;

use std::time::{Duration, Instant};

use diglot::LocalName;
use diglot::{Client, Protocol, ShmConnection};
use shm_support::{InProcess, counting, held, wait_until};

#[test]
fn ten_thousand_connections_leave_no_descriptor_or_mapping_behind() {
    const CYCLES: i32 = 10_000;
    let _serial = counting();
    let server = InProcess::new();
    let connect = || ShmConnection::connect_blocking(&server.name, Protocol::JsonRpc).unwrap();

    // Warm up, so that lazily made resources exist before counting.
    for i in 0..50 {
        let client = Client::new(connect());
        let sum: i32 = client.call_blocking("calc.add", &(i, 1)).unwrap();
        assert_eq!(sum, i + 1);
    }
    assert!(wait_until(Duration::from_secs(2), || held().shm_threads == 0));
    let before = held();

    let started = Instant::now();
    let mut most_threads = 0;
    for i in 0..CYCLES {
        let connection = connect();
        if i % 100 == 0 {
            let client = Client::new(connection);
            let sum: i32 = client.call_blocking("calc.add", &(i, 2)).unwrap();
            assert_eq!(sum, i + 2);
            most_threads = most_threads.max(held().shm_threads);
        } else if i % 1000 == 1 {
            // Gone before the server's hello is even read.
            let LocalName::Path(path) = &server.name else {
                unreachable!()
            };
            drop(std::os::unix::net::UnixStream::connect(path).unwrap());
        }
    }
    let elapsed = started.elapsed();
    println!(
        "{CYCLES} connect/disconnect cycles in {elapsed:?}, at most {most_threads} connection threads at once"
    );

    let settled = wait_until(Duration::from_secs(5), || held().is_back_to(&before));
    let after = held();
    assert!(
        settled,
        "after {CYCLES} cycles: {after:?}, before: {before:?}"
    );
    assert_eq!(after.shm_maps, 0);
    assert!(server.is_serving());
    let client = Client::new(connect());
    let sum: i32 = client.call_blocking("calc.add", &(40, 2)).unwrap();
    assert_eq!(sum, 42);
}
