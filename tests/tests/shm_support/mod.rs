//! What the shared-memory tests (`tests/shm_*.rs`) share: an in-process
//! server on a handshake socket in a fresh temporary directory; the
//! calculator example binary (built on demand) serving `--shm`; this test
//! binary re-run as a child process (a client or a server to kill); the
//! `slow.*` test service, which counts calls started, finished and
//! abandoned; and counts of this process's descriptors, mappings and
//! connection threads.

// Each test file uses part of this module.
#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use diglot::{Dispatcher, Limits, LocalName, Server, ShmEndpoint};
use diglot_examples::calc::{Calc, CalculatorService};
use diglot_tests::served::Served;
use tokio::runtime::Runtime;

/// The variable that makes this test binary a child process, and says
/// which part it plays.
pub const CHILD_ROLE: &str = "DIGLOT_SHM_CHILD";
/// The handshake socket a child connects to or serves on.
pub const CHILD_SOCKET: &str = "DIGLOT_SHM_SOCKET";

// ---------------------------------------------------------------------------
// The slow service
// ---------------------------------------------------------------------------

/// How many `slow.sleep` calls started, finished, and were dropped before
/// finishing (the server gave them up).
#[derive(Debug, Default)]
pub struct Counters {
    /// Calls that started.
    pub started: AtomicUsize,
    /// Calls that returned.
    pub finished: AtomicUsize,
    /// Calls dropped before they returned.
    pub abandoned: AtomicUsize,
}

/// A method that takes its time.
#[diglot::rpc(namespace = "slow")]
pub trait Slow {
    /// Sleeps `ms` milliseconds, then returns them.
    async fn sleep(&self, ms: u64) -> u64;
}

/// The slow service, counting into shared counters.
#[derive(Debug, Clone, Default)]
pub struct SlowImpl {
    /// Shared with the test.
    pub counters: Arc<Counters>,
}

/// Counts a call as abandoned unless it finished.
struct Abandoned<'a>(&'a Counters, bool);

impl Drop for Abandoned<'_> {
    fn drop(&mut self) {
        if !self.1 {
            self.0.abandoned.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Slow for SlowImpl {
    async fn sleep(&self, ms: u64) -> u64 {
        self.counters.started.fetch_add(1, Ordering::SeqCst);
        let mut guard = Abandoned(&self.counters, false);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        guard.1 = true;
        self.counters.finished.fetch_add(1, Ordering::SeqCst);
        ms
    }
}

/// The calculator and the slow service, with `limits`.
pub fn dispatcher(limits: Limits, slow: SlowImpl) -> Dispatcher {
    Dispatcher::builder()
        .service(CalculatorService::new(Calc))
        .service(SlowService::new(slow))
        .limits(limits)
        .build()
        .expect("no method names clash")
}

// ---------------------------------------------------------------------------
// Temporary directories, runtimes, the in-process server
// ---------------------------------------------------------------------------

pub use diglot_tests::tempdir::TempDir;

pub use diglot_tests::runtime::multi_thread as runtime;

/// A server serving shared memory in this process, until dropped. Fields
/// drop in order: the server stops, the runtime ends, the directory goes.
#[derive(Debug)]
pub struct InProcess {
    /// The handshake socket.
    pub name: LocalName,
    /// Counters of the slow service.
    pub counters: Arc<Counters>,
    served: Served,
    /// The runtime the server runs on.
    pub rt: Runtime,
    dir: TempDir,
}

impl InProcess {
    /// Serves the calculator and the slow service with default limits.
    pub fn new() -> InProcess {
        Self::with(Limits::default(), |endpoint| endpoint)
    }

    /// Serves with `limits`, the endpoint set up by `configure`.
    pub fn with(limits: Limits, configure: impl FnOnce(ShmEndpoint) -> ShmEndpoint) -> InProcess {
        let dir = TempDir::new();
        let name = LocalName::Path(dir.join("rpc.shm"));
        Self::start(dir, name, limits, configure)
    }

    /// Serves with default limits at `name`.
    pub fn at(name: LocalName) -> InProcess {
        Self::start(TempDir::new(), name, Limits::default(), |endpoint| endpoint)
    }

    fn start(
        dir: TempDir,
        name: LocalName,
        limits: Limits,
        configure: impl FnOnce(ShmEndpoint) -> ShmEndpoint,
    ) -> InProcess {
        let rt = runtime();
        let slow = SlowImpl::default();
        let counters = slow.counters.clone();
        let endpoint = configure(ShmEndpoint::new(name.clone()));
        let server = Server::new(dispatcher(limits, slow)).endpoint(endpoint);
        let served = Served::start(&rt, server).expect("the server binds");
        assert_eq!(served.name("shm"), name);
        InProcess {
            name,
            counters,
            served,
            rt,
            dir,
        }
    }

    /// Whether `serve_until` is still running.
    pub fn is_serving(&self) -> bool {
        self.served.is_serving()
    }

    /// Stops the server and waits (at most 10 s) for `serve_until` to
    /// return.
    pub fn stop(self) {
        self.served
            .stop()
            .expect("the server ended without an error");
    }
}

// ---------------------------------------------------------------------------
// Counting this process's resources
// ---------------------------------------------------------------------------

/// Serializes the tests of one binary that count this process's
/// descriptors, mappings or threads, so that they do not see each other's.
pub fn counting() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What this process holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// Open file descriptors (`/proc/self/fd`).
    pub fds: usize,
    /// Lines of `/proc/self/maps`.
    pub maps: usize,
    /// Mappings of a connection's memfd.
    pub shm_maps: usize,
    /// Threads serving shared-memory connections.
    pub shm_threads: usize,
}

/// Mappings the C library may add and keep while threads come and go
/// (malloc arenas for new threads, cached thread stacks): a bound, where a
/// leak of one mapping per connection would show thousands.
pub const MAPS_SLACK: usize = 48;

impl Held {
    /// Whether this holds no more than `before`: the same descriptors,
    /// connection mappings and connection threads, and no more than
    /// [`MAPS_SLACK`] other mappings.
    pub fn is_back_to(&self, before: &Held) -> bool {
        self.fds == before.fds
            && self.shm_maps == before.shm_maps
            && self.shm_threads == before.shm_threads
            && self.maps <= before.maps + MAPS_SLACK
    }
}

/// Counts what this process holds now.
pub fn held() -> Held {
    let fds = std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count();
    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps");
    let shm_threads = std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(Result::ok)
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|comm| comm.trim() == "diglot-shm")
        })
        .count();
    Held {
        fds,
        maps: maps.lines().count(),
        shm_maps: maps
            .lines()
            .filter(|l| l.contains("memfd:diglot-shm"))
            .count(),
        shm_threads,
    }
}

/// Waits (at most `limit`) until `done` holds; says whether it did.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// A child process, killed (SIGKILL) and reaped when dropped.
#[derive(Debug)]
pub struct ChildProcess {
    /// The child.
    pub child: Child,
}

impl ChildProcess {
    /// Kills the child with SIGKILL and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the child is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// This test binary, re-run to execute only the test `test` with
/// [`CHILD_ROLE`] set to `role` and [`CHILD_SOCKET`] to `socket`. Its
/// stdin is a pipe: a child server stops when it closes (the test died).
pub fn spawn_self(test: &str, role: &str, socket: &Path) -> ChildProcess {
    let child = Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ROLE, role)
        .env(CHILD_SOCKET, socket)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the test binary starts again as a child");
    ChildProcess { child }
}

/// Waits (at most 20 s) until a server accepts on the socket at `path`.
#[track_caller]
pub fn wait_for_socket(path: &Path, server: &mut ChildProcess) {
    let ready = wait_until(Duration::from_secs(20), || {
        assert!(server.is_running(), "the server process exited early");
        std::os::unix::net::UnixStream::connect(path).is_ok()
    });
    assert!(ready, "nothing listens on {} after 20 s", path.display());
}

// ---------------------------------------------------------------------------
// The calculator example binary
// ---------------------------------------------------------------------------

/// Starts the calculator example serving shared memory only, on `socket`,
/// and waits until it accepts.
pub fn spawn_calculator(socket: &Path) -> ChildProcess {
    let child = Command::new(calculator_binary())
        .arg("--shm")
        .arg(socket)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the calculator example starts");
    let mut server = ChildProcess { child };
    wait_for_socket(socket, &mut server);
    server
}

pub use diglot_tests::process::calculator_binary;
