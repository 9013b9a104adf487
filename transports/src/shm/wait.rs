//! Waiting for the peer: spin briefly, then park on a futex in the shared
//! mapping, waking now and then to see whether the peer is still there.
//!
//! Waking a thread parked on another core costs tens of microseconds on a
//! VM, a spin on shared memory well under one. So a wait first spins for a
//! budget of a few tens of microseconds: calls in quick succession never
//! park. The budget adapts: it doubles when a wait parked but the peer
//! answered soon after (a little more spinning would have saved the wake),
//! and halves when a wait parked for long (the peer was busy or idle, and
//! the spin was wasted). An idle connection is parked, costing nothing but
//! a liveness check every [`park_timeout`](super::ShmConfig::park_timeout).
//!
//! Parking uses a non-private futex on the peer's index word: the waiter
//! raises its `waiting` flag, checks the condition again, and sleeps while
//! the word still holds the value it saw; the peer, after publishing a new
//! index, wakes the word if the flag is up. Sequentially consistent fences
//! on both sides make sure that either the waiter sees the new index or the
//! peer sees the flag.
//!
//! A side that also waits for something in its own process (a feed with a
//! new body, a call to send) hangs a [`Bell`] on the wait: the wait then
//! sleeps on the ring's word and the bell's together (`futex_waitv`), and
//! whoever rings the bell wakes it.

use std::os::fd::BorrowedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering, fence};

use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::net::RecvFlags;
use rustix::thread::futex;

use super::end::End;

/// How long a wait spins before it parks, and how often a parked wait
/// checks on the peer.
#[derive(Debug, Clone)]
pub(crate) struct Waiter {
    /// The current spin budget.
    spin: Duration,
    min_spin: Duration,
    max_spin: Duration,
    park_timeout: Duration,
}

impl Waiter {
    /// A waiter that spins at most `max_spin` and wakes every
    /// `park_timeout` while parked.
    pub(crate) fn new(max_spin: Duration, park_timeout: Duration) -> Waiter {
        Waiter {
            spin: max_spin,
            min_spin: max_spin / 16,
            max_spin,
            park_timeout: park_timeout.max(Duration::from_millis(1)),
        }
    }

    /// The current spin budget.
    #[cfg(test)]
    pub(crate) fn budget(&self) -> Duration {
        self.spin
    }

    /// Waits until `ready` yields a value.
    ///
    /// `words` are the peer's indices that `ready` looks at (the futexes to
    /// sleep on), each with this side's `waiting` flag that the peer reads
    /// before waking it; a `bell` rung in this process wakes the wait too
    /// (`ready` then looks at [`Bell::answer`]). `ready` may fail (a value
    /// out of range); so may `watch`, asked after every park whether to go
    /// on waiting.
    pub(crate) fn wait<T>(
        &mut self,
        words: &[Word<'_>],
        bell: Option<&Bell>,
        watch: &Watch<'_>,
        idle: bool,
        mut ready: impl FnMut() -> Result<Option<T>, End>,
    ) -> Result<T, End> {
        if let Some(value) = self.spin(&mut ready)? {
            return Ok(value);
        }
        // The spin just ended: count its budget as time already waited.
        let now = Instant::now();
        let start = now.checked_sub(self.spin).unwrap_or(now);
        let lower = |words: &[Word<'_>]| {
            for word in words {
                word.flag.store(0, Ordering::Relaxed);
            }
            bell.inspect(|bell| bell.leave());
        };
        // Park.
        loop {
            let mut seen = [0u32; MAX_WORDS];
            for (seen, word) in seen.iter_mut().zip(words) {
                *seen = word.word.load(Ordering::Acquire);
                word.flag.store(1, Ordering::Relaxed);
            }
            let rung = bell.map(|bell| bell.enter());
            fence(Ordering::SeqCst);
            if let Some(value) = ready()? {
                lower(words);
                self.settle(start.elapsed());
                return Ok(value);
            }
            // A peer that left while this side spun may have woken the
            // word before anyone slept on it: look before sleeping.
            if let Err(end) = watch.check(idle) {
                lower(words);
                return Err(end);
            }
            // Sleeps only while every word still holds what was seen (and
            // the bell what it held): a peer that published since, or a
            // ring since, returns at once (EAGAIN). A timeout or a signal
            // just leads to the checks below.
            match sleep(words, &seen, bell.zip(rung), self.park_timeout) {
                Ok(()) | Err(Errno::AGAIN | Errno::TIMEDOUT | Errno::INTR) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(1)),
            }
            lower(words);
            if let Some(value) = ready()? {
                self.settle(start.elapsed());
                return Ok(value);
            }
            watch.check(idle)?;
        }
    }

    /// Spins until `ready` yields a value or the spin budget is spent.
    pub(crate) fn spin<T>(
        &self,
        mut ready: impl FnMut() -> Result<Option<T>, End>,
    ) -> Result<Option<T>, End> {
        if let Some(value) = ready()? {
            return Ok(Some(value));
        }
        let start = Instant::now();
        // Check, relax the core, and look at the clock now and then.
        let mut spins = 0u32;
        loop {
            if let Some(value) = ready()? {
                return Ok(Some(value));
            }
            std::hint::spin_loop();
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(32) && start.elapsed() >= self.spin {
                return Ok(None);
            }
        }
    }

    /// Adapts the spin budget after a wait that parked and took `waited`.
    fn settle(&mut self, waited: Duration) {
        if waited <= self.max_spin * 4 {
            // A little more spinning would have caught it.
            self.spin = (self.spin * 2).min(self.max_spin);
        } else {
            // The peer was busy or idle: spinning was wasted.
            self.spin = (self.spin / 2).max(self.min_spin);
        }
    }
}

/// Wakes the thread (if any) parked on `word`, if its `flag` is up. Call
/// after publishing a new value of `word`.
pub(crate) fn wake(word: &AtomicU32, flag: &AtomicU32) {
    fence(Ordering::SeqCst);
    if flag.load(Ordering::Relaxed) != 0 {
        wake_now(word);
    }
}

/// Wakes the thread (if any) parked on `word`, whatever its flag says.
pub(crate) fn wake_now(word: &AtomicU32) {
    let _ = futex::wake(word, futex::Flags::empty(), 1);
}

/// The most peer words one wait sleeps on.
const MAX_WORDS: usize = 2;

/// A word the peer publishes, and this side's flag asking the peer to wake
/// it after publishing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Word<'a> {
    pub(crate) word: &'a AtomicU32,
    pub(crate) flag: &'a AtomicU32,
}

/// Sleeps until a word no longer holds what was `seen`, the bell rings, or
/// `timeout` passes. One word alone sleeps with `futex`; more, or a bell,
/// with `futex_waitv` — or, on Linux before 5.16, on the first word for at
/// most a millisecond, so that the rest are noticed that late.
fn sleep(
    words: &[Word<'_>],
    seen: &[u32; MAX_WORDS],
    bell: Option<(&Bell, u32)>,
    timeout: Duration,
) -> Result<(), Errno> {
    use futex::{Wait, WaitFlags, WaitPtr, WaitvFlags};
    assert!(!words.is_empty() && words.len() <= MAX_WORDS);
    let relative = |timeout: Duration| {
        futex::Timespec::try_from(timeout).unwrap_or(futex::Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        })
    };
    if words.len() == 1 && bell.is_none() {
        return futex::wait(
            words[0].word,
            futex::Flags::empty(),
            seen[0],
            Some(&relative(timeout)),
        );
    }
    let entry = |word: &AtomicU32, value: u32, flags: WaitFlags| {
        let mut wait = Wait::new();
        wait.val = u64::from(value);
        wait.uaddr = WaitPtr::new(word.as_ptr().cast());
        wait.flags = flags;
        wait
    };
    let mut waits = [const { Wait::new() }; MAX_WORDS + 1];
    let mut count = 0;
    for (word, seen) in words.iter().zip(seen) {
        waits[count] = entry(word.word, *seen, WaitFlags::SIZE_U32);
        count += 1;
    }
    if let Some((bell, rung)) = bell {
        waits[count] = entry(&bell.word, rung, WaitFlags::SIZE_U32 | WaitFlags::PRIVATE);
        count += 1;
    }
    // futex_waitv takes an absolute deadline.
    let now = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    let deadline = Duration::new(
        now.tv_sec.unsigned_abs(),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
    .saturating_add(timeout);
    let deadline = futex::Timespec {
        tv_sec: i64::try_from(deadline.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(deadline.subsec_nanos()),
    };
    match futex::waitv(
        &waits[..count],
        WaitvFlags::empty(),
        Some(&deadline),
        futex::ClockId::Monotonic,
    ) {
        Ok(_) => Ok(()),
        Err(Errno::NOSYS) => futex::wait(
            words[0].word,
            futex::Flags::empty(),
            seen[0],
            Some(&relative(timeout.min(Duration::from_millis(1)))),
        ),
        Err(e) => Err(e),
    }
}

/// Wakes a parked [`Waiter::wait`] from inside this process: rung when a
/// feed has a new body, or a call is queued for the connection. As a
/// [`Waker`](std::task::Waker) (through [`std::task::Wake`]), it lets a
/// thread that owns a connection poll futures and sleep until they are
/// ready or the peer writes, whichever comes first.
#[derive(Debug, Default)]
pub(crate) struct Bell {
    /// Bumped by every ring: the futex the owner sleeps on.
    word: AtomicU32,
    /// Set by a ring, cleared when the owner answers it.
    pending: AtomicBool,
    /// Non-zero while the owner is about to sleep or sleeping.
    sleeping: AtomicU32,
}

impl Bell {
    /// Rings: the owner's wait returns, now or at its next look.
    pub(crate) fn ring(&self) {
        self.pending.store(true, Ordering::Release);
        self.word.fetch_add(1, Ordering::Release);
        fence(Ordering::SeqCst);
        // A ring costs a syscall only when the owner sleeps.
        if self.sleeping.load(Ordering::Relaxed) != 0 {
            let _ = futex::wake(&self.word, futex::Flags::PRIVATE, 1);
        }
    }

    /// Whether the bell rang since the last answer; answers it.
    pub(crate) fn answer(&self) -> bool {
        self.pending.load(Ordering::Relaxed) && self.pending.swap(false, Ordering::Acquire)
    }

    /// The owner is about to sleep: the word it sleeps against.
    fn enter(&self) -> u32 {
        let rung = self.word.load(Ordering::Acquire);
        self.sleeping.store(1, Ordering::Relaxed);
        rung
    }

    fn leave(&self) {
        self.sleeping.store(0, Ordering::Relaxed);
    }
}

impl std::task::Wake for Bell {
    fn wake(self: Arc<Self>) {
        self.ring();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ring();
    }
}

/// A server's stop, as its connections see it.
#[derive(Debug, Default)]
pub(crate) struct Stop {
    /// No new call is read: connections end between messages.
    pub(crate) requested: AtomicBool,
    /// Connections end even mid-message (a peer that stopped reading or
    /// writing must not hold up the server's exit for ever).
    pub(crate) forced: AtomicBool,
}

/// What a parked wait checks when it wakes: that the peer still holds its
/// end of the handshake socket, and that the server is not stopping.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Watch<'a> {
    socket: BorrowedFd<'a>,
    stop: Option<&'a Stop>,
}

impl<'a> Watch<'a> {
    /// Watches `socket`, and `stop` if given.
    pub(crate) fn new(socket: BorrowedFd<'a>, stop: Option<&'a Stop>) -> Watch<'a> {
        Watch { socket, stop }
    }

    /// Whether the server is stopping.
    pub(crate) fn stopped(&self) -> bool {
        self.stop
            .is_some_and(|s| s.requested.load(Ordering::Relaxed))
    }

    /// Fails when the peer has gone, or when the server is stopping and
    /// this wait is `idle` (between messages) or the stop is forced.
    pub(crate) fn check(&self, idle: bool) -> Result<(), End> {
        if let Some(stop) = self.stop {
            let forced = stop.forced.load(Ordering::Relaxed);
            if forced || (idle && stop.requested.load(Ordering::Relaxed)) {
                return Err(End::Stopped);
            }
        }
        if peer_alive(self.socket) {
            Ok(())
        } else {
            Err(End::PeerGone)
        }
    }
}

/// Whether the process at the other end still holds its end of `socket`.
/// Nothing is sent on the socket after the handshake, so reading its end
/// (a nonblocking peek returning 0) means the peer closed it or died.
pub(crate) fn peer_alive(socket: BorrowedFd<'_>) -> bool {
    let mut byte = [0u8; 1];
    match rustix::net::recv(socket, &mut byte[..], RecvFlags::PEEK | RecvFlags::DONTWAIT) {
        Ok((_, 0)) => false,
        Ok(_) | Err(Errno::AGAIN | Errno::INTR) => true,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spin_budget_grows_after_near_misses_and_shrinks_after_long_waits() {
        let max = Duration::from_micros(64);
        let mut waiter = Waiter::new(max, Duration::from_millis(50));
        waiter.settle(Duration::from_millis(5));
        waiter.settle(Duration::from_millis(5));
        assert_eq!(waiter.budget(), max / 4);
        for _ in 0..10 {
            waiter.settle(Duration::from_secs(1));
        }
        assert_eq!(waiter.budget(), max / 16);
        waiter.settle(Duration::from_micros(80));
        assert_eq!(waiter.budget(), max / 8);
        for _ in 0..10 {
            waiter.settle(Duration::from_micros(80));
        }
        assert_eq!(waiter.budget(), max);
    }

    #[test]
    fn a_closed_socket_reads_as_gone() {
        use std::os::fd::AsFd;
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        assert!(peer_alive(a.as_fd()));
        drop(b);
        assert!(!peer_alive(a.as_fd()));
    }
}
