//! The shared-memory floor of `shm_bench` and `payload_bench`: two
//! processes spinning on a shared mapping, moving the bytes of one request
//! and its response per round trip, and doing nothing else.
//!
//! The server side ([`Floor::create`]) creates a file in `/dev/shm`
//! (tmpfs), sizes and maps it; the client side ([`Floor::open`]) maps the
//! same file. Per round trip:
//!
//! 1. the client copies the request bytes into the request area and
//!    publishes a sequence number (release store);
//! 2. the server, spinning on that word (acquire load), copies the request
//!    out into a private buffer, copies the response bytes into the
//!    response area and publishes the same number on its own word;
//! 3. the client, spinning on the server's word, copies the response out
//!    into a private buffer.
//!
//! That is the work diglot's transport cannot avoid (a copy in and out on
//! each side, a cache-line hand-off each way) without its framing, its
//! checks, the codec or the method. Both sides spin for ever, so the floor
//! never parks: it is what shared memory costs with a core each to burn.
//!
//! ```text
//! offset         what                        written by
//! 0              request sequence number     client
//! 128            response sequence number    server
//! 256            stop flag                   client
//! 4096           request bytes               client
//! 4096 + area    response bytes              server
//! ```
//!
//! A binary includes this file with `#[path]` beside the harness, whose
//! `BoxError` it uses.

// The floor maps memory and copies through raw pointers; each block says
// why it is sound. Both processes are one program, cooperating: unlike
// diglot's transport, nothing here defends against a hostile peer.
#![allow(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::path::PathBuf;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::harness::BoxError;

const REQUEST_SEQ: usize = 0;
const RESPONSE_SEQ: usize = 128;
const STOP: usize = 256;
const HEADER: usize = 4096;

/// How long either side spins for its peer before giving up.
const STALL: Duration = Duration::from_secs(30);

/// The shared file's layout for a request and a response of these sizes.
#[derive(Debug, Clone, Copy)]
struct Layout {
    request_len: usize,
    response_len: usize,
    area: usize,
}

impl Layout {
    fn new(request_len: usize, response_len: usize) -> Layout {
        Layout {
            request_len,
            response_len,
            area: request_len.max(response_len).max(1).next_multiple_of(4096),
        }
    }

    fn total(&self) -> usize {
        HEADER + 2 * self.area
    }
}

/// One side of the floor: a shared, writable mapping of the whole file,
/// unmapped on drop.
pub(crate) struct Floor {
    ptr: NonNull<u8>,
    len: usize,
    layout: Layout,
}

impl Floor {
    /// The server side: creates (or truncates) the file at `path`, sized
    /// for these messages, and maps it.
    pub(crate) fn create(
        path: &str,
        request_len: usize,
        response_len: usize,
    ) -> Result<Floor, BoxError> {
        let layout = Layout::new(request_len, response_len);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        file.set_len(layout.total() as u64)?;
        Floor::map(&file, layout)
    }

    /// The client side: maps the file the server created for messages of
    /// these sizes.
    pub(crate) fn open(
        path: &str,
        request_len: usize,
        response_len: usize,
    ) -> Result<Floor, BoxError> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        Floor::map(&file, Layout::new(request_len, response_len))
    }

    fn map(file: &File, layout: Layout) -> Result<Floor, BoxError> {
        let len = layout.total();
        let size = file.metadata()?.len();
        if size != len as u64 {
            return Err(format!("the shared file holds {size} bytes, not {len}").into());
        }
        // SAFETY: a fresh mapping at an address the kernel picks aliases no
        // Rust object. The file has exactly `len` bytes (checked above) and
        // only this benchmark's two processes use it, neither of which
        // truncates it while mapped, so every byte stays backed.
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::SHARED,
                file,
                0,
            )?
        };
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or("mmap returned a null pointer")?;
        Ok(Floor { ptr, len, layout })
    }

    /// The word at `offset` (a constant of the layout), for atomic access.
    fn word(&self, offset: usize) -> &AtomicU32 {
        assert!(offset.is_multiple_of(4) && offset + 4 <= HEADER);
        // SAFETY: in bounds (HEADER <= len) and 4-byte aligned (the mapping
        // is page-aligned); the memory lives as long as `&self`, and both
        // processes access the word only atomically.
        unsafe { AtomicU32::from_ptr(self.ptr.as_ptr().add(offset).cast()) }
    }

    /// Copies `bytes` into the area at `offset`.
    fn write(&self, area: usize, bytes: &[u8]) {
        assert!(area + bytes.len() <= self.len && bytes.len() <= self.layout.area);
        // SAFETY: the destination is inside the mapping (checked above);
        // the source is a private slice, which the mapping cannot overlap.
        // The sequence numbers hand each area to one side at a time, so the
        // peer does not touch these bytes during the copy.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr.as_ptr().add(area), bytes.len());
        }
    }

    /// Copies the area at `offset` out into `out`.
    fn read(&self, area: usize, out: &mut [u8]) {
        assert!(area + out.len() <= self.len && out.len() <= self.layout.area);
        // SAFETY: as in `write`, the source is inside the mapping and owned
        // by this side until it publishes; the destination is private.
        unsafe {
            std::ptr::copy_nonoverlapping(self.ptr.as_ptr().add(area), out.as_mut_ptr(), out.len());
        }
    }

    fn request_area(&self) -> usize {
        HEADER
    }

    fn response_area(&self) -> usize {
        HEADER + self.layout.area
    }

    /// The server's loop: answers every request with `response` until the
    /// client raises the stop flag. The first request must be `request`,
    /// byte for byte (both sides computed the same messages).
    pub(crate) fn serve(&self, request: &[u8], response: &[u8]) -> Result<(), BoxError> {
        if request.len() != self.layout.request_len || response.len() != self.layout.response_len {
            return Err("the floor's messages do not match its layout".into());
        }
        let mut received = vec![0u8; self.layout.request_len];
        let mut seen = 0;
        loop {
            let seq = spin_until(self.word(REQUEST_SEQ), |seq| {
                seq != seen || self.word(STOP).load(Ordering::Relaxed) != 0
            })?;
            if seq == seen {
                return Ok(());
            }
            seen = seq;
            self.read(self.request_area(), &mut received);
            if seq == 1 && received != request {
                return Err("the floor client sent other bytes than expected".into());
            }
            self.write(self.response_area(), response);
            self.word(RESPONSE_SEQ).store(seq, Ordering::Release);
        }
    }

    /// The client's round trip number `seq` (1, 2, …): sends `request`,
    /// waits for the answer and copies it into `answer`.
    pub(crate) fn round_trip(
        &self,
        seq: u32,
        request: &[u8],
        answer: &mut [u8],
    ) -> Result<(), BoxError> {
        self.write(self.request_area(), request);
        self.word(REQUEST_SEQ).store(seq, Ordering::Release);
        spin_until(self.word(RESPONSE_SEQ), |got| got == seq)?;
        self.read(self.response_area(), answer);
        Ok(())
    }

    /// Tells the server to return from [`serve`](Self::serve).
    pub(crate) fn stop(&self) {
        self.word(STOP).store(1, Ordering::Relaxed);
    }
}

impl Drop for Floor {
    fn drop(&mut self) {
        // SAFETY: exactly what mmap returned; every borrow of the mapping
        // borrows `self`, so none outlives this.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// Spins until `done` accepts the word's value, or for [`STALL`] at most.
fn spin_until(word: &AtomicU32, mut done: impl FnMut(u32) -> bool) -> Result<u32, BoxError> {
    let start = Instant::now();
    let mut spins = 0u32;
    loop {
        let value = word.load(Ordering::Acquire);
        if done(value) {
            return Ok(value);
        }
        std::hint::spin_loop();
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(4096) && start.elapsed() > STALL {
            return Err(format!("the peer did not answer within {STALL:?}").into());
        }
    }
}

/// Where a run keeps its sockets, and the floor's shared file: both
/// removed when dropped.
pub(crate) struct Scratch {
    pub(crate) dir: PathBuf,
    pub(crate) shm_file: PathBuf,
}

impl Scratch {
    /// A new directory, and a floor file in `/dev/shm` (else beside the
    /// directory), both named for `bench` and this process.
    pub(crate) fn create(bench: &str) -> std::io::Result<Scratch> {
        let name = format!("diglot-{bench}-{}", std::process::id());
        let scratch = Scratch {
            dir: std::env::temp_dir().join(&name),
            shm_file: if std::path::Path::new("/dev/shm").is_dir() {
                PathBuf::from("/dev/shm").join(&name)
            } else {
                std::env::temp_dir().join(format!("{name}.floor"))
            },
        };
        std::fs::create_dir_all(&scratch.dir)?;
        Ok(scratch)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(&self.shm_file);
    }
}
