//! Single-producer single-consumer rings over the shared mapping, carrying
//! messages of any size as chunk records (see [`layout`](super::layout)).
//!
//! The peer's memory is hostile. Each side keeps its own index privately
//! and only ever writes it to the mapping, never reads it back. Each value
//! read from the peer (its index, a chunk's length and flags) is read once
//! into a local, checked, and only then used:
//!
//! - the producer's index: `tail - head <= capacity`, and a whole number of
//!   records (a multiple of 8);
//! - the consumer's index: between the last one seen and our tail;
//! - a chunk: known flags, `length <= capacity - 8`, the record within what
//!   was published, and the message so far within the limit.
//!
//! A value that fails a check ends the connection ([`End::Violation`]).

use std::sync::atomic::{AtomicU32, Ordering};

use super::end::End;
use super::layout::{
    CHUNK_ALIGN, CHUNK_HEADER, FLAG_LAST, Layout, REQUEST_WORDS, RESPONSE_WORDS, RingWords,
};
use super::mapping::{Mapping, RingBytes};
use super::wait::{Bell, Waiter, Watch, Word, wake, wake_now};

/// Which end of the connection this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Reads requests, writes responses.
    Server,
    /// Writes requests, reads responses.
    Client,
}

/// Where one ring is.
#[derive(Debug, Clone, Copy)]
struct Place {
    words: RingWords,
    data: usize,
    capacity: usize,
}

/// One side of a connection: the mapping, the ring it writes and the ring
/// it reads, and its private indices.
#[derive(Debug)]
pub(crate) struct Rings {
    mapping: Mapping,
    outgoing: Place,
    incoming: Place,
    /// Our index on the outgoing ring (never read back from the mapping).
    tail: u32,
    /// The peer's index on the outgoing ring, as last read and checked.
    peer_head: u32,
    /// Our index on the incoming ring (never read back from the mapping).
    head: u32,
}

/// The size of a record carrying `length` bytes.
fn record_bytes(length: usize) -> usize {
    CHUNK_HEADER + length.next_multiple_of(CHUNK_ALIGN)
}

fn index(bytes: usize) -> u32 {
    // Records are at most a ring long, and rings fit in a u32.
    u32::try_from(bytes).expect("a record fits in a ring")
}

impl Rings {
    /// The rings of `mapping`, laid out as `layout`, seen from `role`.
    pub(crate) fn new(mapping: Mapping, layout: Layout, role: Role) -> Rings {
        assert!(mapping_fits(&mapping, layout));
        let request = Place {
            words: REQUEST_WORDS,
            data: layout.request_data(),
            capacity: layout.request_capacity,
        };
        let response = Place {
            words: RESPONSE_WORDS,
            data: layout.response_data(),
            capacity: layout.response_capacity,
        };
        let (outgoing, incoming) = match role {
            Role::Server => (response, request),
            Role::Client => (request, response),
        };
        Rings {
            mapping,
            outgoing,
            incoming,
            tail: 0,
            peer_head: 0,
            head: 0,
        }
    }

    fn word(&self, offset: usize) -> &AtomicU32 {
        self.mapping.word(offset)
    }

    fn bytes(&self, place: Place) -> RingBytes<'_> {
        self.mapping.ring(place.data, place.capacity)
    }

    /// Writes `message` to the outgoing ring, in as many chunks as it
    /// takes, waiting for the peer to make room.
    pub(crate) fn send(
        &mut self,
        message: &[u8],
        waiter: &mut Waiter,
        watch: &Watch<'_>,
    ) -> Result<(), End> {
        let mut rest = message;
        loop {
            let free = self.wait_for_room(self.wanted(rest), waiter, watch)?;
            if self.write_chunk(&mut rest, free) {
                return Ok(());
            }
        }
    }

    /// Writes as much of `message[*sent..]` as fits now, without waiting;
    /// whether the whole message is written. `sent` counts the bytes
    /// written so far, across calls.
    pub(crate) fn try_send(&mut self, message: &[u8], sent: &mut usize) -> Result<bool, End> {
        let mut rest = &message[*sent..];
        loop {
            let head = self.word(self.outgoing.words.head).load(Ordering::Acquire);
            let free = self.check_head(head)?;
            if free < self.wanted(rest) {
                *sent = message.len() - rest.len();
                return Ok(false);
            }
            if self.write_chunk(&mut rest, free) {
                *sent = message.len();
                return Ok(true);
            }
        }
    }

    /// The room worth waiting for before writing the next chunk of `rest`:
    /// the whole rest, or a good share of the ring — not a sliver, which
    /// would make many tiny chunks.
    fn wanted(&self, rest: &[u8]) -> usize {
        record_bytes(rest.len()).min(self.outgoing.capacity / 4)
    }

    /// Writes the next chunk of `rest` into `free` bytes of room (at least
    /// a header's worth) and publishes it; whether it was the last.
    fn write_chunk(&mut self, rest: &mut &[u8], free: usize) -> bool {
        let place = self.outgoing;
        let room = (free - CHUNK_HEADER) & !(CHUNK_ALIGN - 1);
        let length = rest.len().min(room);
        let last = length == rest.len();
        let ring = self.bytes(place);
        ring.write_header(self.tail, index(length), if last { FLAG_LAST } else { 0 });
        ring.write(self.tail.wrapping_add(index(CHUNK_HEADER)), &rest[..length]);
        self.tail = self.tail.wrapping_add(index(record_bytes(length)));
        let tail_word = self.word(place.words.tail);
        tail_word.store(self.tail, Ordering::Release);
        wake(tail_word, self.word(place.words.consumer_waiting));
        *rest = &rest[length..];
        last
    }

    /// Whether `message` fits in the outgoing ring as it is now, so that
    /// [`send`](Self::send) would not wait.
    pub(crate) fn fits_now(&mut self, message: &[u8]) -> Result<bool, End> {
        let head = self.word(self.outgoing.words.head).load(Ordering::Acquire);
        let free = self.check_head(head)?;
        Ok(record_bytes(message.len()) <= free)
    }

    /// Checks the consumer's index `head` (read once by the caller) and
    /// returns the free bytes it leaves.
    fn check_head(&mut self, head: u32) -> Result<usize, End> {
        let tail = self.tail;
        // The consumer's index may only move forward, and not past what
        // we published.
        if head.wrapping_sub(self.peer_head) > tail.wrapping_sub(self.peer_head) {
            return Err(End::Violation("the consumer's index is out of range"));
        }
        self.peer_head = head;
        Ok(self.outgoing.capacity - tail.wrapping_sub(head) as usize)
    }

    /// Waits until the outgoing ring has `wanted` free bytes; returns how
    /// many it has.
    fn wait_for_room(
        &mut self,
        wanted: usize,
        waiter: &mut Waiter,
        watch: &Watch<'_>,
    ) -> Result<usize, End> {
        let place = self.outgoing;
        let tail = self.tail;
        let mut peer_head = self.peer_head;
        // The consumer's index only moves forward, so the room last seen is
        // there still: looking again would pull the consumer's cache line
        // across cores on every message.
        let known = place.capacity - tail.wrapping_sub(peer_head) as usize;
        if known >= wanted {
            return Ok(known);
        }
        let head_word = self.mapping.word(place.words.head);
        let flag = self.mapping.word(place.words.producer_waiting);
        let words = [Word {
            word: head_word,
            flag,
        }];
        let free = waiter.wait(&words, None, watch, false, || {
            let head = head_word.load(Ordering::Acquire);
            // As `check_head`, on copies (the closure cannot borrow self).
            if head.wrapping_sub(peer_head) > tail.wrapping_sub(peer_head) {
                return Err(End::Violation("the consumer's index is out of range"));
            }
            peer_head = head;
            let free = place.capacity - tail.wrapping_sub(head) as usize;
            Ok((free >= wanted).then_some(free))
        });
        self.peer_head = peer_head;
        free
    }

    /// Whether the incoming ring holds a chunk, without waiting beyond a
    /// spin of `waiter`'s budget.
    pub(crate) fn spin_for_data(&self, waiter: &mut Waiter) -> Result<bool, End> {
        let place = self.incoming;
        let head = self.head;
        let tail_word = self.mapping.word(place.words.tail);
        let found = waiter.spin(|| available(tail_word, head, place.capacity))?;
        Ok(found.is_some())
    }

    /// Whether the incoming ring holds a chunk now.
    pub(crate) fn has_data(&self) -> Result<bool, End> {
        let place = self.incoming;
        let tail_word = self.mapping.word(place.words.tail);
        Ok(available(tail_word, self.head, place.capacity)?.is_some())
    }

    /// Reads one message from the incoming ring into `out` (cleared
    /// first), refusing one larger than `limit`. Until its first chunk
    /// arrives, a stopping server gives up waiting ([`End::Stopped`]).
    pub(crate) fn receive(
        &mut self,
        out: &mut Vec<u8>,
        limit: usize,
        waiter: &mut Waiter,
        watch: &Watch<'_>,
    ) -> Result<(), End> {
        out.clear();
        if watch.stopped() {
            return Err(End::Stopped);
        }
        let place = self.incoming;
        let capacity = place.capacity;
        let mut idle = true;
        loop {
            let mut available = self.wait_for_data(waiter, watch, idle)?;
            idle = false;
            while available >= CHUNK_HEADER {
                let ring = self.bytes(place);
                let (length, flags) = ring.read_header(self.head);
                if flags & !FLAG_LAST != 0 {
                    return Err(End::Violation("a chunk has unknown flags"));
                }
                let length = length as usize;
                if length > capacity - CHUNK_HEADER {
                    return Err(End::Violation("a chunk is longer than the ring"));
                }
                let record = record_bytes(length);
                if record > available {
                    return Err(End::Violation("a chunk runs past the published data"));
                }
                let size = out.len() + length;
                if size > limit {
                    return Err(End::TooLarge {
                        size: size as u64,
                        limit: limit as u64,
                    });
                }
                ring.append(self.head.wrapping_add(index(CHUNK_HEADER)), length, out);
                self.head = self.head.wrapping_add(index(record));
                available -= record;
                let head_word = self.word(place.words.head);
                head_word.store(self.head, Ordering::Release);
                wake(head_word, self.word(place.words.producer_waiting));
                if flags & FLAG_LAST != 0 {
                    return Ok(());
                }
            }
        }
    }

    /// Waits until the incoming ring holds at least a chunk header; returns
    /// how many bytes it holds.
    fn wait_for_data(
        &mut self,
        waiter: &mut Waiter,
        watch: &Watch<'_>,
        idle: bool,
    ) -> Result<usize, End> {
        let place = self.incoming;
        let head = self.head;
        let tail_word = self.mapping.word(place.words.tail);
        let flag = self.mapping.word(place.words.consumer_waiting);
        let words = [Word {
            word: tail_word,
            flag,
        }];
        waiter.wait(&words, None, watch, idle, || {
            available(tail_word, head, place.capacity)
        })
    }

    /// Waits, between messages, until the incoming ring holds a chunk
    /// ([`Woken::Data`]), `bell` rings ([`Woken::Bell`]), or — with
    /// `room`, the length of a message partly sent — the outgoing ring has
    /// room for its next chunk ([`Woken::Room`]). A stopping server gives
    /// up waiting ([`End::Stopped`]).
    pub(crate) fn wait_for_any(
        &mut self,
        waiter: &mut Waiter,
        watch: &Watch<'_>,
        bell: &Bell,
        room: Option<&[u8]>,
    ) -> Result<Woken, End> {
        if watch.stopped() {
            return Err(End::Stopped);
        }
        let incoming = self.incoming;
        let outgoing = self.outgoing;
        let head = self.head;
        let tail = self.tail;
        let mut peer_head = self.peer_head;
        let wanted = room.map(|rest| self.wanted(rest));
        let tail_word = self.mapping.word(incoming.words.tail);
        let head_word = self.mapping.word(outgoing.words.head);
        let data = Word {
            word: tail_word,
            flag: self.mapping.word(incoming.words.consumer_waiting),
        };
        let space = Word {
            word: head_word,
            flag: self.mapping.word(outgoing.words.producer_waiting),
        };
        let words = [data, space];
        let words = if wanted.is_some() {
            &words[..]
        } else {
            &words[..1]
        };
        let woken = waiter.wait(words, Some(bell), watch, true, || {
            if available(tail_word, head, incoming.capacity)?.is_some() {
                return Ok(Some(Woken::Data));
            }
            if let Some(wanted) = wanted {
                // As `check_head`, on copies (the closure cannot borrow self).
                let seen = head_word.load(Ordering::Acquire);
                if seen.wrapping_sub(peer_head) > tail.wrapping_sub(peer_head) {
                    return Err(End::Violation("the consumer's index is out of range"));
                }
                peer_head = seen;
                if outgoing.capacity - tail.wrapping_sub(seen) as usize >= wanted {
                    return Ok(Some(Woken::Room));
                }
            }
            Ok(bell.answer().then_some(Woken::Bell))
        });
        self.peer_head = peer_head;
        woken
    }

    /// Wakes the peer wherever it may be parked (waiting for data on our
    /// outgoing ring, or for room on our incoming one), so that it looks
    /// at the socket now rather than at its next timeout.
    pub(crate) fn wake_peer(&self) {
        wake_now(self.word(self.outgoing.words.tail));
        wake_now(self.word(self.incoming.words.head));
    }
}

/// What ended a [`Rings::wait_for_any`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Woken {
    /// The incoming ring holds a chunk.
    Data,
    /// The outgoing ring has room for the next chunk.
    Room,
    /// The bell rang.
    Bell,
}

/// Reads the producer's index once and checks it against our `head`:
/// the bytes published and not yet read, if they hold a chunk header.
fn available(tail_word: &AtomicU32, head: u32, capacity: usize) -> Result<Option<usize>, End> {
    let available = tail_word.load(Ordering::Acquire).wrapping_sub(head) as usize;
    if available > capacity {
        return Err(End::Violation("the producer's index is out of range"));
    }
    if !available.is_multiple_of(CHUNK_ALIGN) {
        return Err(End::Violation("the producer's index is misaligned"));
    }
    Ok((available >= CHUNK_HEADER).then_some(available))
}

fn mapping_fits(mapping: &Mapping, layout: Layout) -> bool {
    // `Mapping::ring` asserts the rest; this checks the layout is whole.
    let _ = mapping.ring(layout.request_data(), layout.request_capacity);
    let _ = mapping.ring(layout.response_data(), layout.response_capacity);
    true
}

/// A server side and a client side over one memfd, and a socket pair
/// standing in for the handshake socket: for the tests and the fuzzer.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn pair(
    ring_bytes: usize,
) -> (
    Rings,
    Rings,
    std::os::unix::net::UnixStream,
    std::os::unix::net::UnixStream,
) {
    let layout = Layout::with_rings(ring_bytes);
    let memfd = super::mapping::SealedMemfd::create(layout.total_bytes()).unwrap();
    let fd = memfd.as_fd().try_clone_to_owned().unwrap();
    let server = Rings::new(memfd.map().unwrap(), layout, Role::Server);
    let client = super::mapping::SealedMemfd::verify(fd, layout.total_bytes()).unwrap();
    let client = Rings::new(client.map().unwrap(), layout, Role::Client);
    let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    (server, client, a, b)
}

/// Feeds the server side of a ring pair hostile bytes, as the fuzzer does:
/// the first eight bytes are the producer's index and a chunk header's
/// length and flags are written raw into the request ring, the rest is the
/// ring's data. Every outcome is fine but a panic or a hang.
#[cfg(feature = "fuzzing")]
pub(crate) fn read_hostile(data: &[u8]) {
    use std::os::fd::AsFd;
    let (mut server, client, a, b) = pair(4096);
    let word = |at: usize| {
        data.get(at..at + 4)
            .map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
    };
    let payload = data.get(8..).unwrap_or_default();
    let place = client.outgoing;
    let ring = client.bytes(place);
    ring.write(0, &payload[..payload.len().min(place.capacity)]);
    client
        .word(REQUEST_WORDS.tail)
        .store(word(0), Ordering::Release);
    // The peer is gone: a read that waits for more ends at once.
    drop(b);
    let watch = super::wait::Watch::new(a.as_fd(), None);
    let mut waiter = Waiter::new(
        std::time::Duration::ZERO,
        std::time::Duration::from_millis(1),
    );
    let mut out = Vec::new();
    let _ = server.receive(&mut out, word(4) as usize, &mut waiter, &watch);
    drop(client);
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsFd;
    use std::time::Duration;

    use super::*;

    fn waiter() -> Waiter {
        Waiter::new(Duration::from_micros(20), Duration::from_millis(20))
    }

    #[test]
    fn messages_larger_than_the_ring_pass_both_ways() {
        let (mut server, mut client, a, b) = pair(4096);
        let big: Vec<u8> = (0..1_000_003u32).map(|i| (i % 251) as u8).collect();
        let expected = big.clone();
        let echo = std::thread::spawn(move || {
            let watch = Watch::new(a.as_fd(), None);
            let mut w = waiter();
            let mut buf = Vec::new();
            for _ in 0..3 {
                server.receive(&mut buf, 2 << 20, &mut w, &watch).unwrap();
                server.send(&buf, &mut w, &watch).unwrap();
            }
        });
        let watch = Watch::new(b.as_fd(), None);
        let mut w = waiter();
        let mut out = Vec::new();
        for message in [&big[..], b"", b"x"] {
            client.send(message, &mut w, &watch).unwrap();
            client.receive(&mut out, 2 << 20, &mut w, &watch).unwrap();
            assert_eq!(out, message);
        }
        echo.join().unwrap();
        assert_eq!(expected, big);
    }

    #[test]
    fn a_writer_that_never_blocks_reads_while_the_peer_writes_too() {
        // Both sides write a message larger than the ring at once: with
        // blocking writes on both sides they would wait for each other for
        // ever. The client writes as room allows and reads meanwhile.
        let (mut server, mut client, a, b) = pair(4096);
        let big: Vec<u8> = (0..100_003u32).map(|i| (i % 241) as u8).collect();
        let sent = big.clone();
        let peer = std::thread::spawn(move || {
            let watch = Watch::new(a.as_fd(), None);
            let mut w = waiter();
            server.send(&sent, &mut w, &watch).unwrap();
            let mut buf = Vec::new();
            server.receive(&mut buf, 1 << 20, &mut w, &watch).unwrap();
            buf
        });
        let watch = Watch::new(b.as_fd(), None);
        let mut w = waiter();
        let bell = Bell::default();
        let (mut written, mut done, mut received) = (0, false, Vec::new());
        while !done || received.is_empty() {
            if !done {
                done = client.try_send(&big, &mut written).unwrap();
            }
            let rest = (!done).then(|| &big[written..]);
            if received.is_empty()
                && client.wait_for_any(&mut w, &watch, &bell, rest).unwrap() == Woken::Data
            {
                client
                    .receive(&mut received, 1 << 20, &mut w, &watch)
                    .unwrap();
            }
        }
        assert_eq!(received, big);
        assert_eq!(peer.join().unwrap(), big);
    }

    #[test]
    fn a_bell_wakes_a_parked_wait() {
        let (_server, mut client, _a, b) = pair(4096);
        let watch = Watch::new(b.as_fd(), None);
        // Parked waits look again only after a minute: only the bell can
        // end this one in time.
        let mut w = Waiter::new(Duration::from_micros(1), Duration::from_secs(60));
        let bell = std::sync::Arc::new(Bell::default());
        let ringer = bell.clone();
        let start = std::time::Instant::now();
        let rings = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            ringer.ring();
        });
        let woken = client.wait_for_any(&mut w, &watch, &bell, None).unwrap();
        assert_eq!(woken, Woken::Bell);
        assert!(start.elapsed() < Duration::from_secs(10));
        rings.join().unwrap();
        assert!(!bell.answer(), "the ring was answered by the wait");
    }

    #[test]
    fn a_message_over_the_limit_is_refused() {
        let (mut server, mut client, a, b) = pair(4096);
        let sender = std::thread::spawn(move || {
            let watch = Watch::new(b.as_fd(), None);
            let _ = client.send(&[7u8; 10_000], &mut waiter(), &watch);
            client
        });
        let watch = Watch::new(a.as_fd(), None);
        let error = server
            .receive(&mut Vec::new(), 5000, &mut waiter(), &watch)
            .unwrap_err();
        assert!(
            matches!(error, End::TooLarge { limit: 5000, .. }),
            "{error}"
        );
        drop(a);
        drop(sender.join().unwrap());
    }

    /// Writes a hostile value into the request ring's words or data, then
    /// asks the server side to read.
    fn hostile(scribble: impl FnOnce(&Rings)) -> End {
        let (mut server, client, a, _b) = pair(4096);
        scribble(&client);
        let watch = Watch::new(a.as_fd(), None);
        server
            .receive(&mut Vec::new(), 1 << 20, &mut waiter(), &watch)
            .unwrap_err()
    }

    #[test]
    fn hostile_indices_and_lengths_are_refused() {
        let tail = |value: u32| {
            move |c: &Rings| c.word(REQUEST_WORDS.tail).store(value, Ordering::Release)
        };
        assert_eq!(
            hostile(tail(8192)),
            End::Violation("the producer's index is out of range")
        );
        assert_eq!(
            hostile(tail(u32::MAX - 7)),
            End::Violation("the producer's index is out of range")
        );
        assert_eq!(
            hostile(tail(13)),
            End::Violation("the producer's index is misaligned")
        );
        let chunk = |length: u32, flags: u32, published: u32| {
            move |c: &Rings| {
                c.bytes(c.outgoing).write_header(0, length, flags);
                c.word(REQUEST_WORDS.tail)
                    .store(published, Ordering::Release);
            }
        };
        assert_eq!(
            hostile(chunk(8, 2, 16)),
            End::Violation("a chunk has unknown flags")
        );
        assert_eq!(
            hostile(chunk(u32::MAX, FLAG_LAST, 16)),
            End::Violation("a chunk is longer than the ring")
        );
        assert_eq!(
            hostile(chunk(4089, FLAG_LAST, 4096)),
            End::Violation("a chunk is longer than the ring")
        );
        assert_eq!(
            hostile(chunk(100, FLAG_LAST, 64)),
            End::Violation("a chunk runs past the published data")
        );
    }

    #[test]
    fn a_consumer_index_out_of_range_is_refused() {
        let (mut server, client, a, _b) = pair(4096);
        client
            .word(RESPONSE_WORDS.head)
            .store(1 << 30, Ordering::Release);
        let watch = Watch::new(a.as_fd(), None);
        // The producer reads the index once the ring looks full, and finds
        // it past anything published.
        let error = server.send(&[1u8; 8000], &mut waiter(), &watch);
        assert_eq!(
            error.unwrap_err(),
            End::Violation("the consumer's index is out of range")
        );
    }

    #[test]
    fn a_peer_that_goes_away_ends_a_wait() {
        let (mut server, _client, a, b) = pair(4096);
        drop(b);
        let watch = Watch::new(a.as_fd(), None);
        let started = std::time::Instant::now();
        let error = server
            .receive(&mut Vec::new(), 1 << 20, &mut waiter(), &watch)
            .unwrap_err();
        assert_eq!(error, End::PeerGone);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
