//! Hostile peers: each side treats the other's memory as hostile.
//!
//! A hostile client, played here with the raw handshake (receive the
//! memfd, map it, scribble), writes out-of-range indices and lengths into
//! its rings: a tail beyond the capacity, a tail gone backwards, a
//! misaligned tail, chunk lengths past the ring or past what was
//! published, unknown flags, a message that never ends growing past the
//! limit, a consumer index out of range on the response ring, and seeded
//! random garbage over the whole header and ring. Each time the server
//! closes that connection (the raw client reads the end of its socket
//! within 2 s) and does not crash; a client that stalls mid-message and
//! vanishes is let go as well; meanwhile and afterwards a well-behaved
//! client is served, and this process is back to the descriptors,
//! mappings and threads it held before.
//!
//! A hostile server, played by a raw listener, offers an unsealed memfd, a
//! memfd smaller than its hello says, a pipe instead of a memfd, a hello
//! that is not diglot's, or a valid memfd followed by an out-of-range
//! response index: the client refuses each with a clear error, and never
//! crashes.

#![cfg(target_os = "linux")]
// The raw client and server map the shared memory themselves.
#![allow(unsafe_code)]

mod shm_support;

use std::io::{IoSlice, IoSliceMut, Read as _};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use diglot::LocalName;
use diglot::{Client, ClientError, Limits, Protocol, ShmConnection};
use rustix::fs::{MemfdFlags, SealFlags};
use rustix::mm::{MapFlags, ProtFlags};
use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags,
};
use shm_support::{InProcess, TempDir, counting, held, wait_until};

// The layout, as the protocol defines it (transports/src/shm/layout.rs).
const HEADER: usize = 4096;
const REQUEST_TAIL: usize = 0;
const REQUEST_HEAD: usize = 128;
const RESPONSE_TAIL: usize = 256;
const RESPONSE_HEAD: usize = 384;
const LAST: u32 = 1;

/// A client that does the handshake by hand and then writes whatever it
/// likes into the shared memory.
struct RawClient {
    socket: UnixStream,
    base: *mut u8,
    len: usize,
    request_capacity: usize,
}

impl RawClient {
    fn connect(path: &Path) -> RawClient {
        let socket = UnixStream::connect(path).expect("connects");
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut hello = [0u8; 32];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        let received = rustix::net::recvmsg(
            &socket,
            &mut [IoSliceMut::new(&mut hello)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        )
        .expect("the hello");
        assert_eq!(received.bytes, 32);
        let fd: OwnedFd = control
            .drain()
            .find_map(|m| match m {
                RecvAncillaryMessage::ScmRights(mut fds) => fds.next(),
                _ => None,
            })
            .expect("a memfd with the hello");
        assert_eq!(&hello[..8], b"DIGLOTSM");
        let word = |at: usize| u32::from_ne_bytes(hello[at..at + 4].try_into().unwrap()) as usize;
        let (request_capacity, response_capacity) = (word(12), word(16));
        let len = HEADER + request_capacity + response_capacity;
        // SAFETY: a fresh shared mapping of the memfd's full size (the
        // server sealed it against shrinking); it is unmapped on drop.
        let base = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                &fd,
                0,
            )
        }
        .expect("maps the memory")
        .cast::<u8>();
        RawClient {
            socket,
            base,
            len,
            request_capacity,
        }
    }

    fn word(&self, offset: usize) -> &AtomicU32 {
        assert!(offset.is_multiple_of(4) && offset + 4 <= HEADER);
        // SAFETY: inside the mapping, aligned, valid while `self` lives.
        unsafe { AtomicU32::from_ptr(self.base.add(offset).cast()) }
    }

    /// Writes `bytes` at `offset` of the request ring (wrapping).
    fn write_request(&self, offset: usize, bytes: &[u8]) {
        for (i, byte) in bytes.iter().enumerate() {
            let at = HEADER + (offset + i) % self.request_capacity;
            // SAFETY: `at` is inside the request ring, inside the mapping.
            unsafe { self.base.add(at).write_volatile(*byte) };
        }
    }

    /// Writes a chunk header at `offset` of the request ring.
    fn chunk(&self, offset: usize, length: u32, flags: u32) {
        let mut header = length.to_ne_bytes().to_vec();
        header.extend_from_slice(&flags.to_ne_bytes());
        self.write_request(offset, &header);
    }

    /// Publishes the request ring's tail and wakes the server.
    fn publish(&self, tail: u32) {
        self.word(REQUEST_TAIL).store(tail, Ordering::Release);
        let _ = rustix::thread::futex::wake(
            self.word(REQUEST_TAIL),
            rustix::thread::futex::Flags::empty(),
            1,
        );
    }

    /// Whether the server closes the connection within `limit`: nothing
    /// is sent after the hello, so a read ends (0) or times out.
    fn server_closes_within(&mut self, limit: Duration) -> bool {
        self.socket.set_read_timeout(Some(limit)).unwrap();
        match self.socket.read(&mut [0u8; 1]) {
            Ok(0) => true,
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
            Ok(_) => panic!("the server sent bytes after its hello"),
        }
    }

    /// Scribbles over every byte of the header and both rings.
    fn fill(&self, mut next: impl FnMut() -> u8) {
        for at in 0..self.len {
            // SAFETY: `at` is inside the mapping.
            unsafe { self.base.add(at).write_volatile(next()) };
        }
    }
}

impl Drop for RawClient {
    fn drop(&mut self) {
        // SAFETY: exactly what mmap returned; nothing borrows it any more.
        let _ = unsafe { rustix::mm::munmap(self.base.cast(), self.len) };
    }
}

/// Asserts that a well-behaved client is served.
#[track_caller]
fn assert_served(name: &LocalName) {
    let client = Client::new(ShmConnection::connect_blocking(name, Protocol::JsonRpc).unwrap());
    let sum: i32 = client.call_blocking("calc.add", &(20, 22)).unwrap();
    assert_eq!(sum, 42);
}

#[test]
fn a_hostile_client_loses_its_connection_and_nothing_else() {
    let _serial = counting();
    // A small body limit, for the message that never ends.
    let server = InProcess::with(Limits::default().max_body_bytes(256 << 10), |endpoint| {
        endpoint
    });
    let LocalName::Path(path) = server.name.clone() else {
        unreachable!()
    };
    assert_served(&server.name);
    assert!(wait_until(Duration::from_secs(2), || held().shm_threads == 0));
    let before = held();
    let good =
        Client::new(ShmConnection::connect_blocking(&server.name, Protocol::XmlRpc).unwrap());

    type Scribble = Box<dyn Fn(&RawClient)>;
    let cases: Vec<(&str, Scribble)> = vec![
        (
            "tail beyond the capacity",
            Box::new(|c| c.publish(c.request_capacity as u32 + 8)),
        ),
        ("tail gone backwards", Box::new(|c| c.publish(u32::MAX - 7))),
        ("misaligned tail", Box::new(|c| c.publish(12))),
        (
            "chunk of 4 GiB",
            Box::new(|c| {
                c.chunk(0, u32::MAX, LAST);
                c.publish(16);
            }),
        ),
        (
            "chunk as long as the ring",
            Box::new(|c| {
                c.chunk(0, c.request_capacity as u32, LAST);
                c.publish(c.request_capacity as u32);
            }),
        ),
        (
            "chunk past what was published",
            Box::new(|c| {
                c.chunk(0, 64, LAST);
                c.publish(16);
            }),
        ),
        (
            "unknown flags",
            Box::new(|c| {
                c.chunk(0, 8, 0x80);
                c.publish(16);
            }),
        ),
        (
            "a message that never ends",
            Box::new(|c| {
                let piece = 16 << 10;
                let mut tail = 0usize;
                for _ in 0..100 {
                    let head = c.word(REQUEST_HEAD).load(Ordering::Acquire) as usize;
                    if tail - head + 8 + piece > c.request_capacity {
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                    c.chunk(tail, piece as u32, 0);
                    tail += 8 + piece;
                    c.publish(tail as u32);
                }
            }),
        ),
        (
            "consumer index out of range on the response ring",
            Box::new(|c| {
                // The server reads the client's index once the response
                // ring looks full: answers never read fill it.
                let body = br#"{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}"#;
                let record = 8 + body.len().next_multiple_of(8);
                c.word(RESPONSE_HEAD).store(1 << 30, Ordering::Release);
                let mut tail = 0usize;
                let mut waits = 0;
                while tail < 2 * c.request_capacity && waits < 100 {
                    let head = c.word(REQUEST_HEAD).load(Ordering::Acquire) as usize;
                    if tail - head + record > c.request_capacity {
                        waits += 1;
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                    c.chunk(tail, body.len() as u32, LAST);
                    c.write_request(tail + 8, body);
                    tail += record;
                    c.publish(tail as u32);
                }
            }),
        ),
    ];
    for (what, scribble) in &cases {
        let mut raw = RawClient::connect(&path);
        scribble(&raw);
        assert!(
            raw.server_closes_within(Duration::from_secs(2)),
            "{what}: the server kept the connection"
        );
        let sum: i32 = good.call_blocking("calc.add", &(1, 2)).unwrap();
        assert_eq!(sum, 3, "{what}: the good client is still served");
    }

    // Seeded garbage over everything, with a tail that is not zero.
    for seed in 1..=50u64 {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        };
        let mut raw = RawClient::connect(&path);
        raw.fill(&mut next);
        let tail = u32::from_ne_bytes([next(), next(), next(), next()]) | 1 << 20;
        raw.publish(tail);
        assert!(
            raw.server_closes_within(Duration::from_secs(2)),
            "garbage, seed {seed}: the server kept the connection"
        );
    }

    // Half a message, then gone without a word (as if killed).
    let raw = RawClient::connect(&path);
    raw.chunk(0, 8, 0);
    raw.publish(16);
    std::thread::sleep(Duration::from_millis(20));
    drop(raw);

    assert!(server.is_serving());
    assert_served(&server.name);
    drop(good);
    let settled = wait_until(Duration::from_secs(2), || held().is_back_to(&before));
    assert!(settled, "still held: {:?}, before: {before:?}", held());
}

// ---------------------------------------------------------------------------
// Hostile servers
// ---------------------------------------------------------------------------

fn hello(request_capacity: u32, response_capacity: u32) -> [u8; 32] {
    let mut hello = [0u8; 32];
    hello[..8].copy_from_slice(b"DIGLOTSM");
    hello[8..12].copy_from_slice(&1u32.to_ne_bytes());
    hello[12..16].copy_from_slice(&request_capacity.to_ne_bytes());
    hello[16..20].copy_from_slice(&response_capacity.to_ne_bytes());
    hello[24..32].copy_from_slice(&(1u64 << 20).to_ne_bytes());
    hello
}

fn memfd(len: usize, seals: SealFlags) -> OwnedFd {
    let fd = rustix::fs::memfd_create("hostile", MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING)
        .unwrap();
    rustix::fs::ftruncate(&fd, len as u64).unwrap();
    if !seals.is_empty() {
        rustix::fs::fcntl_add_seals(&fd, seals).unwrap();
    }
    fd
}

fn send_hello(socket: &UnixStream, hello: &[u8], fd: BorrowedFd<'_>) {
    let fds = [fd];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    assert!(control.push(SendAncillaryMessage::ScmRights(&fds)));
    rustix::net::sendmsg(
        socket,
        &[IoSlice::new(hello)],
        &mut control,
        SendFlags::NOSIGNAL,
    )
    .unwrap();
}

/// Runs a one-connection server that greets with `greet`, then connects a
/// client to it; returns the client's error (it must fail).
fn refused_by_client(greet: impl FnOnce(&UnixStream) + Send + 'static) -> ClientError {
    let dir = TempDir::new();
    let path = dir.join("hostile.shm");
    let listener = UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        greet(&socket);
        // Hold the socket open until the client gives up.
        let _ = (&socket).read(&mut [0u8; 1]);
    });
    let result = ShmConnection::connect_blocking(&LocalName::Path(path), Protocol::JsonRpc);
    let error = result.expect_err("the client refuses the server");
    server.join().unwrap();
    error
}

const SEALED: SealFlags = SealFlags::SHRINK
    .union(SealFlags::GROW)
    .union(SealFlags::SEAL);

#[test]
fn a_hostile_server_is_refused_at_the_handshake() {
    let _serial = counting();
    let len = HEADER + 2 * 4096;
    let unsealed = refused_by_client(move |s| {
        send_hello(
            s,
            &hello(4096, 4096),
            memfd(len, SealFlags::empty()).as_fd(),
        );
    });
    assert!(unsealed.to_string().contains("not sealed"), "{unsealed}");

    let small = refused_by_client(move |s| {
        send_hello(s, &hello(1 << 20, 1 << 20), memfd(len, SEALED).as_fd());
    });
    assert!(small.to_string().contains("bytes"), "{small}");

    let pipe = refused_by_client(|s| {
        let (reader, _writer) = std::io::pipe().unwrap();
        send_hello(s, &hello(4096, 4096), reader.as_fd());
    });
    assert!(pipe.to_string().contains("seal"), "{pipe}");

    let stranger = refused_by_client(move |s| {
        let mut bad = hello(4096, 4096);
        bad[..8].copy_from_slice(b"NOTDIGLT");
        send_hello(s, &bad, memfd(len, SEALED).as_fd());
    });
    assert!(stranger.to_string().contains("not a diglot"), "{stranger}");

    let odd_ring = refused_by_client(move |s| {
        send_hello(s, &hello(5000, 4096), memfd(HEADER + 9096, SEALED).as_fd());
    });
    assert!(odd_ring.to_string().contains("power of two"), "{odd_ring}");
}

#[test]
fn a_hostile_response_index_fails_the_call() {
    let _serial = counting();
    let dir = TempDir::new();
    let path = dir.join("hostile.shm");
    let listener = UnixListener::bind(&path).unwrap();
    let len = HEADER + 2 * 4096;
    let server = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let fd = memfd(len, SEALED);
        send_hello(&socket, &hello(4096, 4096), fd.as_fd());
        // A response tail far beyond the ring, and a wake.
        let mut out = vec![0u8; len];
        out[RESPONSE_TAIL..RESPONSE_TAIL + 4].copy_from_slice(&(1u32 << 30).to_ne_bytes());
        std::os::unix::fs::FileExt::write_at(&std::fs::File::from(fd), &out[..HEADER], 0).unwrap();
        let _ = (&socket).read(&mut [0u8; 1]);
    });
    let client = Client::new(
        ShmConnection::connect_blocking(&LocalName::Path(path), Protocol::JsonRpc).unwrap(),
    );
    let error = client
        .call_blocking::<_, i32>("calc.add", &(1, 2))
        .unwrap_err();
    assert!(
        matches!(&error, ClientError::Protocol(why) if why.contains("index is out of range")),
        "{error}"
    );
    drop(client);
    server.join().unwrap();
}
