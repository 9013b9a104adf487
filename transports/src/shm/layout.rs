//! Where everything sits in a connection's shared memory, and the hello
//! message that describes it.
//!
//! ```text
//! offset                      what                          written by
//! 0                           request ring:  tail, waiting  client (producer)
//! 128                         request ring:  head, waiting  server (consumer)
//! 256                         response ring: tail, waiting  server (producer)
//! 384                         response ring: head, waiting  client (consumer)
//! 4096                        request ring data             client
//! 4096 + request capacity     response ring data            server
//! ```
//!
//! Each side's words share a 128-byte block of their own (two cache lines,
//! so that adjacent-line prefetching does not bounce them either): a
//! producer's tail never sits beside its consumer's head.
//!
//! Ring data is a sequence of chunk records, each 8-byte aligned:
//!
//! ```text
//! u32 length | u32 flags (bit 0: LAST) | length bytes | padding to 8
//! ```
//!
//! A message is one or more chunks, the last flagged `LAST`; a message
//! larger than the ring travels as several chunks while the consumer drains
//! them. Indices are free-running `u32` byte counts (wrapping); the offset
//! in the ring is the index modulo the capacity, a power of two.

use std::io;

/// Bytes before the ring data: the control blocks, padded to a page.
pub(crate) const HEADER_BYTES: usize = 4096;

/// The size of one side's control block: two cache lines.
const BLOCK: usize = 128;

/// The bytes of a chunk header: length and flags.
pub(crate) const CHUNK_HEADER: usize = 8;

/// Chunk records start at multiples of this.
pub(crate) const CHUNK_ALIGN: usize = 8;

/// The flag of a message's last chunk.
pub(crate) const FLAG_LAST: u32 = 1;

/// The smallest ring either side accepts.
pub(crate) const MIN_RING: usize = 4096;

/// The largest ring either side accepts: a server cannot make a client map
/// more than twice this.
pub(crate) const MAX_RING: usize = 256 << 20;

/// The words of one ring inside the header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RingWords {
    /// The producer's index: bytes published so far.
    pub(crate) tail: usize,
    /// Non-zero while the producer is parked, waiting for space.
    pub(crate) producer_waiting: usize,
    /// The consumer's index: bytes consumed so far.
    pub(crate) head: usize,
    /// Non-zero while the consumer is parked, waiting for data.
    pub(crate) consumer_waiting: usize,
}

impl RingWords {
    const fn at(block: usize) -> RingWords {
        RingWords {
            tail: block,
            producer_waiting: block + 4,
            head: block + BLOCK,
            consumer_waiting: block + BLOCK + 4,
        }
    }
}

/// The request ring's words (client to server).
pub(crate) const REQUEST_WORDS: RingWords = RingWords::at(0);
/// The response ring's words (server to client).
pub(crate) const RESPONSE_WORDS: RingWords = RingWords::at(2 * BLOCK);

// The control blocks fit in the header.
const _: () = assert!(RESPONSE_WORDS.consumer_waiting + 4 <= HEADER_BYTES);

/// The shape of one connection's shared memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Bytes of the request ring (a power of two).
    pub(crate) request_capacity: usize,
    /// Bytes of the response ring (a power of two).
    pub(crate) response_capacity: usize,
}

impl Layout {
    /// A layout with both rings of `ring_bytes`, rounded up to a power of
    /// two and clamped to the accepted range.
    pub(crate) fn with_rings(ring_bytes: usize) -> Layout {
        let capacity = ring_bytes
            .clamp(MIN_RING, MAX_RING)
            .checked_next_power_of_two()
            .unwrap_or(MAX_RING)
            .min(MAX_RING);
        Layout {
            request_capacity: capacity,
            response_capacity: capacity,
        }
    }

    /// The size of the whole mapping.
    pub(crate) fn total_bytes(&self) -> usize {
        HEADER_BYTES + self.request_capacity + self.response_capacity
    }

    /// Where the request ring's data starts.
    pub(crate) fn request_data(&self) -> usize {
        HEADER_BYTES
    }

    /// Where the response ring's data starts.
    pub(crate) fn response_data(&self) -> usize {
        HEADER_BYTES + self.request_capacity
    }

    fn check_capacity(capacity: usize) -> io::Result<()> {
        if capacity.is_power_of_two() && (MIN_RING..=MAX_RING).contains(&capacity) {
            Ok(())
        } else {
            Err(invalid(format!(
                "a ring of {capacity} bytes is not a power of two between {MIN_RING} and {MAX_RING}"
            )))
        }
    }
}

/// The message the server sends with the memfd: what the memory holds and
/// what the server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hello {
    /// The rings.
    pub(crate) layout: Layout,
    /// The largest request the server reads.
    pub(crate) max_request_bytes: u64,
}

/// The first bytes of a hello: a name and a version.
const MAGIC: [u8; 8] = *b"DIGLOTSM";
const VERSION: u32 = 1;

/// The encoded size of a [`Hello`].
pub(crate) const HELLO_BYTES: usize = 32;

impl Hello {
    /// Encodes the hello (native byte order: both ends share the machine).
    pub(crate) fn encode(&self) -> [u8; HELLO_BYTES] {
        let mut out = [0u8; HELLO_BYTES];
        out[0..8].copy_from_slice(&MAGIC);
        out[8..12].copy_from_slice(&VERSION.to_ne_bytes());
        out[12..16].copy_from_slice(&ring_word(self.layout.request_capacity).to_ne_bytes());
        out[16..20].copy_from_slice(&ring_word(self.layout.response_capacity).to_ne_bytes());
        out[24..32].copy_from_slice(&self.max_request_bytes.to_ne_bytes());
        out
    }

    /// Decodes and checks a hello from a server, which the client does not
    /// trust either.
    pub(crate) fn decode(bytes: &[u8]) -> io::Result<Hello> {
        let bytes: &[u8; HELLO_BYTES] = bytes
            .try_into()
            .map_err(|_| invalid(format!("a hello of {} bytes", bytes.len())))?;
        if bytes[0..8] != MAGIC {
            return Err(invalid(
                "the server is not a diglot shared-memory server".into(),
            ));
        }
        let word = |at: usize| u32::from_ne_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let version = word(8);
        if version != VERSION {
            return Err(invalid(format!(
                "the server speaks version {version} of the shared-memory protocol, this client {VERSION}"
            )));
        }
        let layout = Layout {
            request_capacity: word(12) as usize,
            response_capacity: word(16) as usize,
        };
        Layout::check_capacity(layout.request_capacity)?;
        Layout::check_capacity(layout.response_capacity)?;
        let max_request_bytes = u64::from_ne_bytes(bytes[24..32].try_into().expect("8 bytes"));
        Ok(Hello {
            layout,
            max_request_bytes,
        })
    }
}

fn ring_word(capacity: usize) -> u32 {
    u32::try_from(capacity).expect("rings are at most MAX_RING bytes")
}

pub(crate) fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_each_side_sit_in_blocks_of_their_own() {
        let blocks = |w: RingWords| [w.tail / BLOCK, w.head / BLOCK];
        let all = [blocks(REQUEST_WORDS), blocks(RESPONSE_WORDS)].concat();
        let mut unique = all.clone();
        unique.dedup();
        assert_eq!(all, unique);
        assert_eq!(
            REQUEST_WORDS.producer_waiting / BLOCK,
            REQUEST_WORDS.tail / BLOCK
        );
        assert_eq!(
            RESPONSE_WORDS.consumer_waiting / BLOCK,
            RESPONSE_WORDS.head / BLOCK
        );
    }

    #[test]
    fn rings_are_powers_of_two_in_range() {
        assert_eq!(Layout::with_rings(0).request_capacity, MIN_RING);
        assert_eq!(Layout::with_rings(5000).request_capacity, 8192);
        assert_eq!(Layout::with_rings(usize::MAX).request_capacity, MAX_RING);
    }

    #[test]
    fn a_hello_round_trips_and_a_bad_one_is_refused() {
        let hello = Hello {
            layout: Layout::with_rings(1 << 16),
            max_request_bytes: 16 << 20,
        };
        assert_eq!(Hello::decode(&hello.encode()).unwrap(), hello);
        let mut bad = hello.encode();
        bad[12..16].copy_from_slice(&12345u32.to_ne_bytes());
        assert!(Hello::decode(&bad).is_err());
        let mut bad = hello.encode();
        bad[0] = b'X';
        assert!(Hello::decode(&bad).is_err());
        assert!(Hello::decode(&hello.encode()[..20]).is_err());
    }
}
