//! A bounded soak: the drain server (`drain_server`, beside this binary) as
//! a separate process, and mixed clients on every transport for a fixed
//! time — HTTP and TCP in both protocols, a Unix socket, shared memory,
//! clients that connect, call once and leave, and one that sends malformed
//! and cut-off requests — each answer checked against what was sent. Then
//! the server's resident memory and open descriptors after the warm-up and
//! at the end.
//!
//! `soak [SECONDS]` (60 by default). Exits non-zero on any wrong or lost
//! answer, or when memory or descriptors grow past their bounds.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diglot::{
    Client, Connection, HttpConnection, LocalName, Protocol, ShmConnection, StreamConnection, Value,
};

/// What the clients count.
#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    wrong: AtomicU64,
    lost: AtomicU64,
}

/// A payload that differs per call, so that a mixed-up answer shows.
/// Binary data only for XML-RPC: JSON has no type for it.
fn payload(client: u64, n: u64, protocol: Protocol) -> Value {
    let text: String = (0..(n % 200))
        .map(|i| char::from(b'a' + ((client * 31 + n * 7 + i) % 26) as u8))
        .collect();
    let mut items = vec![
        Value::from(format!("{client}:{n}:{text}")),
        Value::from(i64::try_from(n).unwrap_or(0) * 1_000_003),
    ];
    if protocol == Protocol::XmlRpc {
        items.push(Value::Bytes(diglot::Bytes::from(text.into_bytes())));
    }
    Value::from(items)
}

/// One client's loop: calls `calc.echo` until `running` drops, through
/// one connection, or a fresh one per call when `churn` is set.
async fn drive<C, F, Fut>(
    client: u64,
    protocol: Protocol,
    churn: bool,
    connect: F,
    tally: Arc<Tally>,
    running: Arc<AtomicBool>,
) where
    C: Connection,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<C, diglot::ClientError>>,
{
    let mut calc = connect().await.map(Client::new);
    let mut n = 0;
    while running.load(Ordering::Relaxed) {
        n += 1;
        if churn {
            calc = connect().await.map(Client::new);
        }
        let sent = payload(client, n, protocol);
        let answer = match &calc {
            Ok(calc) => calc.call::<_, Value>("calc.echo", &(&sent,)).await,
            Err(e) => Err(diglot::ClientError::Closed(e.to_string())),
        };
        check(&tally, &sent, answer);
    }
}

fn check(tally: &Tally, sent: &Value, answer: Result<Value, diglot::ClientError>) {
    tally.calls.fetch_add(1, Ordering::Relaxed);
    match answer {
        Ok(back) if &back == sent => {}
        Ok(back) => {
            eprintln!("soak: wrong answer: sent {sent:?}, got {back:?}");
            tally.wrong.fetch_add(1, Ordering::Relaxed);
        }
        Err(e) => {
            eprintln!("soak: lost call: {e}");
            tally.lost.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A client that misbehaves over raw HTTP, in turn: a malformed XML-RPC
/// body (which must come back as a fault), a request cut off half-way, and
/// a connection opened and dropped without a byte.
async fn hostile(http: std::net::SocketAddr, tally: Arc<Tally>, running: Arc<AtomicBool>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = "<?xml version=\"1.0\"?><methodCall><methodName>calc.add</methodName><params>";
    let request = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: soak\r\nContent-Type: text/xml\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut n = 0u64;
    while running.load(Ordering::Relaxed) {
        n += 1;
        let Ok(mut socket) = tokio::net::TcpStream::connect(http).await else {
            tally.lost.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        match n % 3 {
            0 => {
                let mut answer = String::new();
                let answered = socket.write_all(request.as_bytes()).await.is_ok()
                    && socket.read_to_string(&mut answer).await.is_ok();
                tally.calls.fetch_add(1, Ordering::Relaxed);
                if !answered || !answer.contains("<name>faultCode</name>") {
                    eprintln!("soak: no fault for a malformed body: {answer:?}");
                    tally.wrong.fetch_add(1, Ordering::Relaxed);
                }
            }
            1 => {
                let _ = socket
                    .write_all(&request.as_bytes()[..request.len() / 2])
                    .await;
            }
            _ => {}
        }
    }
}

/// The server's resident memory (KiB) and open descriptors.
fn usage(pid: u32) -> (u64, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
    (rss, fds)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = std::env::args().nth(1).map_or(Ok(60), |s| s.parse())?;
    let dir = std::env::temp_dir().join(format!("diglot-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let server_path: PathBuf = std::env::current_exe()?.with_file_name("drain_server");
    let mut server = Command::new(&server_path)
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", server_path.display()))?;
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().ok_or("no stdout")?),
        &mut ready,
    )?;
    let addr = |key: &str| -> std::net::SocketAddr {
        ready
            .split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .and_then(|a| a.parse().ok())
            .expect("the server's ready line names its addresses")
    };
    let (http, tcp) = (addr("http="), addr("tcp="));
    let (unix, shm) = (
        LocalName::Path(dir.join("rpc.sock")),
        LocalName::Path(dir.join("rpc.shm")),
    );
    let url = format!("http://{http}/RPC2");

    let tally = Arc::new(Tally::default());
    let running = Arc::new(AtomicBool::new(true));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (json, xml) = (Protocol::JsonRpc, Protocol::XmlRpc);
    let mut tasks = Vec::new();
    for (client, protocol) in [(0, json), (1, xml)] {
        let url = url.clone();
        let connect = move || std::future::ready(HttpConnection::new(&url, protocol));
        let (tally, running) = (tally.clone(), running.clone());
        tasks.push(runtime.spawn(drive(client, protocol, false, connect, tally, running)));
    }
    for (client, protocol, churn) in [(2, json, false), (3, xml, false), (4, json, true)] {
        let connect = move || StreamConnection::tcp(tcp, protocol);
        let (tally, running) = (tally.clone(), running.clone());
        tasks.push(runtime.spawn(drive(client, protocol, churn, connect, tally, running)));
    }
    {
        let connect = move || {
            let unix = unix.clone();
            async move { StreamConnection::local(&unix, json).await }
        };
        let (tally, running) = (tally.clone(), running.clone());
        tasks.push(runtime.spawn(drive(5, json, false, connect, tally, running)));
    }
    tasks.push(runtime.spawn(hostile(http, tally.clone(), running.clone())));
    // Shared memory from a plain thread, as its blocking client is used.
    let shm_thread = {
        let (tally, running) = (tally.clone(), running.clone());
        std::thread::spawn(move || {
            let client = Client::new(ShmConnection::connect_blocking(&shm, Protocol::JsonRpc)?);
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                n += 1;
                let sent = payload(99, n, Protocol::JsonRpc);
                check(&tally, &sent, client.call_blocking("calc.echo", &(&sent,)));
            }
            Ok::<_, diglot::ClientError>(())
        })
    };

    let started = Instant::now();
    let warm_up = Duration::from_secs(seconds / 6).max(Duration::from_secs(2));
    std::thread::sleep(warm_up);
    let (rss_before, fds_before) = usage(server.id());
    std::thread::sleep(Duration::from_secs(seconds).saturating_sub(started.elapsed()));
    let (rss_after, fds_after) = usage(server.id());
    running.store(false, Ordering::Relaxed);
    for task in tasks {
        runtime.block_on(task)?;
    }
    shm_thread
        .join()
        .map_err(|_| "the shared-memory client panicked")??;
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let exit = server.wait()?;
    let _ = std::fs::remove_dir_all(&dir);

    let (calls, wrong, lost) = (
        tally.calls.load(Ordering::Relaxed),
        tally.wrong.load(Ordering::Relaxed),
        tally.lost.load(Ordering::Relaxed),
    );
    println!(
        "soak: {seconds} s, {calls} calls, {wrong} wrong, {lost} lost; server RSS {rss_before} KiB \
         after {} s of warm-up, {rss_after} KiB at the end; open descriptors {fds_before} then \
         {fds_after}; server exit {exit}",
        warm_up.as_secs()
    );
    let mut failures = Vec::new();
    if wrong > 0 || lost > 0 {
        failures.push(format!("{wrong} wrong and {lost} lost answers"));
    }
    if calls < seconds * 100 {
        failures.push(format!("only {calls} calls"));
    }
    // Allocator pools settle in the first minute; a leak grows with calls.
    if rss_after > rss_before + rss_before / 4 + 4096 {
        failures.push(format!("RSS grew from {rss_before} to {rss_after} KiB"));
    }
    if fds_after > fds_before + 4 {
        failures.push(format!("descriptors grew from {fds_before} to {fds_after}"));
    }
    if !exit.success() {
        failures.push(format!("the server exited {exit}"));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; ").into())
    }
}
