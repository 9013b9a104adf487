//! The sealed memfd and its mapping: the only place that touches memory the
//! peer can write.
//!
//! Nothing here ever makes a Rust reference into bytes the peer can write,
//! except the `AtomicU32` index and flag words, whose every access is
//! atomic. Ring bytes are copied in and out through raw pointers, and every
//! offset is reduced modulo the ring's capacity and every length checked
//! against it before a pointer is formed, so no value the peer writes can
//! move an access outside the mapping.

// The one module of the transport that needs `unsafe`: mmap, munmap, raw
// copies in and out of the shared rings, and atomics on mapped words.
#![allow(unsafe_code)]

use std::io;
use std::marker::PhantomData;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::AtomicU32;

use rustix::fs::{FileType, MemfdFlags, SealFlags};
use rustix::mm::{MapFlags, ProtFlags};

use super::layout::{CHUNK_ALIGN, CHUNK_HEADER, invalid};

/// The seals every connection's memfd carries: its size is fixed for good,
/// so a mapping of it can never turn into a SIGBUS under either side.
const SEALS: SealFlags = SealFlags::SHRINK
    .union(SealFlags::GROW)
    .union(SealFlags::SEAL);

/// A memfd of a known size that can neither shrink nor grow, and whose
/// seals cannot change: the precondition for mapping it.
#[derive(Debug)]
pub(crate) struct SealedMemfd {
    fd: OwnedFd,
    len: usize,
}

impl SealedMemfd {
    /// Creates a memfd of `len` bytes (zeroed) and seals it.
    pub(crate) fn create(len: usize) -> io::Result<SealedMemfd> {
        let fd = rustix::fs::memfd_create(
            "diglot-shm",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )?;
        rustix::fs::ftruncate(&fd, len as u64)?;
        rustix::fs::fcntl_add_seals(&fd, SEALS)?;
        // Read back what the kernel holds, as a peer would.
        Self::verify(fd, len)
    }

    /// Accepts a memfd received from the peer only if it is a regular
    /// file of exactly `len` bytes, sealed against shrinking, growing and
    /// further sealing.
    pub(crate) fn verify(fd: OwnedFd, len: usize) -> io::Result<SealedMemfd> {
        let seals = rustix::fs::fcntl_get_seals(&fd)
            .map_err(|e| invalid(format!("the shared memory has no seals: {e}")))?;
        if !seals.contains(SEALS) {
            return Err(invalid(format!(
                "the shared memory is not sealed against resizing (seals {seals:?})"
            )));
        }
        let stat = rustix::fs::fstat(&fd)?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Err(invalid("the shared memory is not a regular file".into()));
        }
        if u64::try_from(stat.st_size).ok() != Some(len as u64) {
            return Err(invalid(format!(
                "the shared memory holds {} bytes, the hello says {len}",
                stat.st_size
            )));
        }
        Ok(SealedMemfd { fd, len })
    }

    /// The descriptor, to send to the peer.
    pub(crate) fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Maps the whole file shared, readable and writable. The descriptor
    /// is closed: the mapping keeps the memory alive.
    pub(crate) fn map(self) -> io::Result<Mapping> {
        // SAFETY: a fresh mapping at an address the kernel picks aliases no
        // Rust object. The file is sealed against shrinking and its size
        // was read back as `len`, so every byte of the mapping stays backed
        // for as long as it exists: the peer holds the same file but cannot
        // truncate it (F_SEAL_SHRINK) nor lift the seal (F_SEAL_SEAL).
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                self.len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                &self.fd,
                0,
            )?
        };
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or_else(|| io::Error::other("mmap at 0"))?;
        Ok(Mapping { ptr, len: self.len })
    }
}

/// A shared mapping of a [`SealedMemfd`], unmapped on drop.
#[derive(Debug)]
pub(crate) struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; nothing in it
// is tied to the thread that mapped it. Its words are used through atomics
// and its ring bytes only through the raw copies below.
unsafe impl Send for Mapping {}
// SAFETY: as for `Send`; shared access only reads and writes through
// atomics and raw copies, never through references to ring bytes.
unsafe impl Sync for Mapping {}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr` and `len` are exactly what mmap returned, and every
        // borrow of the mapping (words, ring views) borrows `self`, so none
        // outlives this call.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

impl Mapping {
    /// The 4-byte word at `offset`, for atomic access.
    ///
    /// # Panics
    ///
    /// If `offset` is unaligned or out of the mapping: offsets are
    /// constants of the layout, never values read from the peer.
    pub(crate) fn word(&self, offset: usize) -> &AtomicU32 {
        assert!(offset.is_multiple_of(4) && offset + 4 <= self.len);
        // SAFETY: the pointer is inside the mapping (checked above), 4-byte
        // aligned (the mapping is page-aligned and the offset a multiple of
        // 4), and valid for as long as `&self`. The peer may store to the
        // word at any moment: it is only ever accessed atomically here, and
        // whatever value the peer leaves is validated by the reader before
        // use, so a hostile value can mislead the protocol but not memory.
        unsafe { AtomicU32::from_ptr(self.ptr.as_ptr().add(offset).cast()) }
    }

    /// A view of the ring of `capacity` bytes at `offset`.
    ///
    /// # Panics
    ///
    /// If the ring is not inside the mapping, its capacity not a power of
    /// two, or it is unaligned: the layout is checked before mapping.
    pub(crate) fn ring(&self, offset: usize, capacity: usize) -> RingBytes<'_> {
        assert!(capacity.is_power_of_two() && capacity >= CHUNK_HEADER);
        assert!(offset.is_multiple_of(CHUNK_ALIGN));
        assert!(
            offset
                .checked_add(capacity)
                .is_some_and(|end| end <= self.len)
        );
        RingBytes {
            // SAFETY: in bounds, checked above.
            base: unsafe { self.ptr.add(offset) },
            capacity,
            _mapping: PhantomData,
        }
    }
}

/// The data bytes of one ring: copies in and out, with wrap-around.
///
/// Positions are free-running indices; the byte at index `i` lives at
/// `i mod capacity`. Every method reduces its index modulo the capacity
/// and refuses lengths beyond the capacity, so whatever index or length
/// the peer supplied, every access stays inside the ring.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RingBytes<'m> {
    base: NonNull<u8>,
    capacity: usize,
    _mapping: PhantomData<&'m Mapping>,
}

impl RingBytes<'_> {
    /// The two pieces `[at, at + len)` occupies: up to the end of the ring,
    /// then from its start.
    fn pieces(&self, index: u32, len: usize) -> (usize, usize, usize) {
        assert!(len <= self.capacity, "a copy longer than the ring");
        let at = index as usize & (self.capacity - 1);
        let first = len.min(self.capacity - at);
        (at, first, len - first)
    }

    /// Copies `bytes` into the ring at `index`, wrapping at its end.
    ///
    /// # Panics
    ///
    /// If `bytes` is longer than the ring.
    pub(crate) fn write(&self, index: u32, bytes: &[u8]) {
        let (at, first, second) = self.pieces(index, bytes.len());
        // SAFETY: `at + first <= capacity` and `second <= capacity` (from
        // `pieces`), so both destinations lie inside the ring, which lies
        // inside the mapping (checked in `Mapping::ring`). The source is a
        // private slice, which the shared mapping cannot overlap. The peer
        // writing the same bytes concurrently only garbles data it will
        // read itself; no reference to the ring is formed.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.base.as_ptr().add(at), first);
            std::ptr::copy_nonoverlapping(bytes.as_ptr().add(first), self.base.as_ptr(), second);
        }
    }

    /// Copies bytes out of the ring at `index` into `out`, wrapping at its
    /// end. What is copied is a private snapshot: the peer changing the
    /// ring afterwards cannot change it.
    ///
    /// # Panics
    ///
    /// If `out` is longer than the ring.
    pub(crate) fn read(&self, index: u32, out: &mut [u8]) {
        let (at, first, second) = self.pieces(index, out.len());
        // SAFETY: as in `write`, both sources lie inside the ring. The
        // destination is a private buffer. Bytes the peer changes during
        // the copy arrive garbled, which the codecs reading them handle
        // like any malformed request.
        unsafe {
            std::ptr::copy_nonoverlapping(self.base.as_ptr().add(at), out.as_mut_ptr(), first);
            std::ptr::copy_nonoverlapping(self.base.as_ptr(), out.as_mut_ptr().add(first), second);
        }
    }

    /// Appends the `len` bytes of the ring at `index` to `out`, as
    /// [`read`](Self::read) copies them, without zeroing the room first.
    ///
    /// # Panics
    ///
    /// If `len` is longer than the ring.
    pub(crate) fn append(&self, index: u32, len: usize, out: &mut Vec<u8>) {
        let (at, first, second) = self.pieces(index, len);
        out.reserve(len);
        let start = out.len();
        // SAFETY: the sources as in `read`. The destination is the `len`
        // bytes of spare capacity reserved above, all written before the
        // vector's length is set to cover them.
        unsafe {
            let to = out.as_mut_ptr().add(start);
            std::ptr::copy_nonoverlapping(self.base.as_ptr().add(at), to, first);
            std::ptr::copy_nonoverlapping(self.base.as_ptr(), to.add(first), second);
            out.set_len(start + len);
        }
    }

    /// Reads the chunk header at `index` (length, flags), once.
    pub(crate) fn read_header(&self, index: u32) -> (u32, u32) {
        let mut bytes = [0u8; CHUNK_HEADER];
        self.read(index, &mut bytes);
        let (length, flags) = bytes.split_at(4);
        (
            u32::from_ne_bytes(length.try_into().expect("4 bytes")),
            u32::from_ne_bytes(flags.try_into().expect("4 bytes")),
        )
    }

    /// Writes a chunk header at `index`.
    pub(crate) fn write_header(&self, index: u32, length: u32, flags: u32) {
        let mut bytes = [0u8; CHUNK_HEADER];
        bytes[..4].copy_from_slice(&length.to_ne_bytes());
        bytes[4..].copy_from_slice(&flags.to_ne_bytes());
        self.write(index, &bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_wrap_around_the_end_of_the_ring() {
        let memfd = SealedMemfd::create(8192).unwrap();
        let mapping = memfd.map().unwrap();
        let ring = mapping.ring(4096, 4096);
        let bytes: Vec<u8> = (0..100).collect();
        ring.write(4090, &bytes);
        let mut out = vec![0; 100];
        ring.read(4090 + 4096 * 3, &mut out);
        assert_eq!(out, bytes);
        ring.write_header(u32::MAX - 7, 42, 1);
        assert_eq!(ring.read_header(4088), (42, 1));
    }

    #[test]
    fn an_unsealed_or_wrongly_sized_memfd_is_refused() {
        let fd =
            rustix::fs::memfd_create("t", MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING).unwrap();
        rustix::fs::ftruncate(&fd, 8192).unwrap();
        let error = SealedMemfd::verify(fd, 8192).unwrap_err();
        assert!(error.to_string().contains("not sealed"), "{error}");
        let sealed = SealedMemfd::create(8192).unwrap();
        let error = SealedMemfd::verify(sealed.fd, 4096).unwrap_err();
        assert!(error.to_string().contains("8192"), "{error}");
    }
}
