//! The floor: two processes spinning on a shared mapping, moving the bytes
//! of one JSON-RPC request and its response per round trip, and doing
//! nothing else.
//!
//! The `floor-server` role creates a file in `/dev/shm` (tmpfs), sizes and
//! maps it; the `floor-client` role maps the same file. Per round trip:
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

// The floor maps memory and copies through raw pointers; each block says
// why it is sound. Both processes are this program, cooperating: unlike
// diglot's transport, nothing here defends against a hostile peer.
#![allow(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::{BoxError, Flags, Measured, Payload, nanos, samples};

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

/// A shared, writable mapping of a whole file; unmapped on drop.
struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
    layout: Layout,
}

impl Mapping {
    fn new(file: &File, layout: Layout) -> Result<Mapping, BoxError> {
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
        Ok(Mapping { ptr, len, layout })
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
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: exactly what mmap returned; every borrow of the mapping
        // borrows `self`, so none outlives this.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// Spins until `word` holds `want`, or `give_up` says so, or [`STALL`].
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

/// `floor-server --file PATH --payload P`: creates and maps the file,
/// prints `ready`, answers until the client raises the stop flag.
pub(crate) fn server(args: &[String]) -> Result<(), BoxError> {
    let flags = Flags::parse(args)?;
    let path = flags.need("file")?;
    let (request, response) = Payload::parse(flags.need("payload")?)?.exchange()?;
    let layout = Layout::new(request.len(), response.len());
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.set_len(layout.total() as u64)?;
    let map = Mapping::new(&file, layout)?;
    println!("ready");
    let mut received = vec![0u8; layout.request_len];
    let mut seen = 0;
    loop {
        let seq = spin_until(map.word(REQUEST_SEQ), |seq| {
            seq != seen || map.word(STOP).load(Ordering::Relaxed) != 0
        })?;
        if seq == seen {
            return Ok(());
        }
        seen = seq;
        map.read(map.request_area(), &mut received);
        if seq == 1 && received != request {
            return Err("the floor client sent other bytes than expected".into());
        }
        map.write(map.response_area(), &response);
        map.word(RESPONSE_SEQ).store(seq, Ordering::Release);
    }
}

/// `floor-client --file PATH --payload P [--calls N] [--warmup N]`: maps
/// the server's file and times sequential round trips.
pub(crate) fn client(args: &[String]) -> Result<(), BoxError> {
    let flags = Flags::parse(args)?;
    let path = flags.need("file")?;
    let (request, response) = Payload::parse(flags.need("payload")?)?.exchange()?;
    let warmup = flags.number("warmup", 2_000)?;
    let calls = flags.number("calls", 20_000)?.max(1);
    let layout = Layout::new(request.len(), response.len());
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    let map = Mapping::new(&file, layout)?;
    let mut answer = vec![0u8; layout.response_len];
    let mut round_trips = samples(calls);
    let mut total = Duration::ZERO;
    let mut outcome = Ok(());
    for i in 0..warmup + calls {
        let seq = u32::try_from(i + 1)?;
        let start = Instant::now();
        map.write(map.request_area(), &request);
        map.word(REQUEST_SEQ).store(seq, Ordering::Release);
        if let Err(e) = spin_until(map.word(RESPONSE_SEQ), |got| got == seq) {
            outcome = Err(e);
            break;
        }
        map.read(map.response_area(), &mut answer);
        let elapsed = start.elapsed();
        if i >= warmup {
            round_trips.push(nanos(elapsed));
            total += elapsed;
        }
    }
    map.word(STOP).store(1, Ordering::Relaxed);
    outcome?;
    if answer != response {
        return Err("the floor server answered other bytes than expected".into());
    }
    Measured { round_trips, total }.print();
    Ok(())
}
