//! A fleet behind a real load balancer: nginx (Debian's package, installed
//! by the test command) in front of three calculator processes on loopback,
//! with JSON-RPC and XML-RPC calls flowing through it while each instance
//! is restarted in turn — SIGTERM, wait for it to exit, start it again on
//! the same port. Every call must come back right: zero failed, zero lost.
//!
//! Why it holds: each instance's listening socket is handed to it by socket
//! activation (`LISTEN_FDS`, the protocol systemd uses) from this test,
//! which keeps it open across restarts, as systemd would. A stopping
//! instance stops accepting and answers the calls it has; connections that
//! arrive meanwhile wait in the socket's backlog for the next instance, so
//! nginx sees neither a refused nor a reset connection. The configuration
//! is the one the guide's deployment section shows.

#![cfg(target_os = "linux")]

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsRawFd as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diglot::{HttpConnection, Protocol};
use diglot_examples::calc::CalculatorClient;
use diglot_tests::process::calculator_binary;
use diglot_tests::tempdir::TempDir;

/// A child process, killed if the test ends first, and its stdout, kept
/// open: a closed pipe would fail the calculator's next line of help.
struct Process(
    Child,
    #[allow(dead_code)] Option<BufReader<std::process::ChildStdout>>,
);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A listening socket this test keeps open across an instance's restarts,
/// passable to a child (not closed on exec).
fn held_socket() -> TcpListener {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    rustix::io::fcntl_setfd(&listener, rustix::io::FdFlags::empty()).unwrap();
    listener
}

/// Starts the calculator serving HTTP on `socket` by socket activation: a
/// Python one-liner puts the socket at descriptor 3, sets `LISTEN_FDS` and
/// `LISTEN_PID`, and becomes the calculator. Waits until it says it
/// listens.
fn calculator(socket: &TcpListener) -> Process {
    let port = socket.local_addr().unwrap().port();
    let activate = "import os, sys\n\
                    os.dup2(int(sys.argv[1]), 3)\n\
                    os.environ['LISTEN_FDS'] = '1'\n\
                    os.environ['LISTEN_PID'] = str(os.getpid())\n\
                    os.execv(sys.argv[2], sys.argv[2:])\n";
    let mut child = Command::new("python3")
        .args(["-c", activate])
        .arg(socket.as_raw_fd().to_string())
        .arg(calculator_binary())
        .args(["--http", "127.0.0.1:1"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the calculator starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .expect("the calculator says where it listens");
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    Process(child, Some(stdout))
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "nginx is not installed: this test runs a real nginx in front of the \
                 calculators; install Debian's nginx-light (the README's test command does)"
            )
        })
}

/// The guide's nginx configuration (`examples/deploy/nginx-diglot.conf`)
/// with the test's ports, inside a minimal top-level configuration that
/// keeps every file in the test's directory.
fn nginx_config(dir: &Path, listen: u16, upstreams: &[u16]) -> String {
    let shown = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/deploy/nginx-diglot.conf");
    let mut site = std::fs::read_to_string(shown).expect("the guide's nginx configuration");
    for (i, port) in upstreams.iter().enumerate() {
        let placeholder = format!("127.0.0.1:{}", 8081 + i);
        assert!(
            site.contains(&placeholder),
            "{placeholder} in the configuration"
        );
        site = site.replace(&placeholder, &format!("127.0.0.1:{port}"));
    }
    site = site.replace("127.0.0.1:8080", &format!("127.0.0.1:{listen}"));
    let dir = dir.display();
    format!(
        "user root;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
{site}
}}
"
    )
}

#[test]
fn rolling_restarts_behind_nginx_lose_no_call() {
    let dir = TempDir::new();
    let sockets: Vec<TcpListener> = (0..3).map(|_| held_socket()).collect();
    let ports: Vec<u16> = sockets
        .iter()
        .map(|s| s.local_addr().unwrap().port())
        .collect();
    let mut fleet: Vec<Process> = sockets.iter().map(calculator).collect();

    let listen = free_port();
    let config = dir.join("nginx.conf");
    std::fs::write(&config, nginx_config(dir.path(), listen, &ports)).unwrap();
    let mut nginx = Process(
        Command::new(nginx_binary())
            .args(["-p", &dir.path().display().to_string(), "-c"])
            .arg(&config)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("nginx starts"),
        None,
    );
    let front: SocketAddr = format!("127.0.0.1:{listen}").parse().unwrap();
    let ready = Instant::now();
    while std::net::TcpStream::connect(front).is_err() {
        if let Some(status) = nginx.0.try_wait().unwrap() {
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            panic!("nginx exited: {status}\n{log}");
        }
        assert!(
            ready.elapsed() < Duration::from_secs(10),
            "nginx is not listening"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // Load: four clients, two per protocol, each making calls one after
    // another on its own keep-alive connection to nginx and checking every
    // answer.
    let running = Arc::new(AtomicBool::new(true));
    let (calls, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let url = format!("http://{front}/RPC2");
    let clients: Vec<_> = [
        Protocol::JsonRpc,
        Protocol::XmlRpc,
        Protocol::JsonRpc,
        Protocol::XmlRpc,
    ]
    .into_iter()
    .enumerate()
    .map(|(client, protocol)| {
        let (running, calls, failed, url) =
            (running.clone(), calls.clone(), failed.clone(), url.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let calc = CalculatorClient::new(HttpConnection::new(&url, protocol).unwrap());
                let mut n: i32 = client as i32 * 1_000_000;
                while running.load(Ordering::Relaxed) {
                    n += 1;
                    match calc.add(n, 7).await {
                        Ok(sum) if sum == n + 7 => {}
                        Ok(wrong) => panic!("{protocol:?}: add({n}, 7) = {wrong}"),
                        Err(e) => {
                            eprintln!("{protocol:?}: add({n}, 7) failed: {e}");
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    calls.fetch_add(1, Ordering::Relaxed);
                }
            });
        })
    })
    .collect();

    std::thread::sleep(Duration::from_millis(500));
    for (i, socket) in sockets.iter().enumerate() {
        let before = calls.load(Ordering::Relaxed);
        let pid = fleet[i].0.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()));
        let stopping = Instant::now();
        let status = loop {
            if let Some(status) = fleet[i].0.try_wait().unwrap() {
                break status;
            }
            assert!(
                stopping.elapsed() < Duration::from_secs(15),
                "instance {i} still running 15 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(status.success(), "instance {i}: {status}");
        std::thread::sleep(Duration::from_millis(300));
        fleet[i] = calculator(socket);
        std::thread::sleep(Duration::from_millis(700));
        assert!(
            calls.load(Ordering::Relaxed) > before,
            "calls flowed while instance {i} restarted"
        );
    }
    running.store(false, Ordering::Relaxed);
    for client in clients {
        client
            .join()
            .expect("a client thread panicked (a wrong answer)");
    }
    let (calls, failed) = (
        calls.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
    );
    println!("rolling restart of 3 instances behind nginx: {calls} calls, {failed} failed");
    assert!(calls > 1000, "only {calls} calls were made");
    let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
    let tail: Vec<&str> = log
        .lines()
        .filter(|l| !l.contains("no live upstreams"))
        .take(12)
        .collect();
    assert_eq!(
        failed,
        0,
        "{failed} of {calls} calls failed; nginx's log ends:\n{}",
        tail.join("\n")
    );
}
