//! Subscription delivery, side by side: one subscription's items per
//! second and their delivery latency, over diglot's WebSocket, jsonrpsee's
//! WebSocket, diglot's Unix socket and diglot's shared memory, in
//! interleaved rounds.
//!
//! ```text
//! cargo run --release --example subscription_bench [-- --items N --paced M --rounds R]
//! ```
//!
//! Each server offers `bench.items(count, every_ms)`: `count` items
//! `[n, sent_ns]`, produced as fast as the server takes them (`every_ms`
//! 0) or one every `every_ms` milliseconds, `sent_ns` read from one clock
//! the whole process shares. A client subscribes, reads every item and
//! records, for each, the time it arrived minus `sent_ns`. The rate is
//! items over the time from the subscribe call to the last item, from a
//! run of N items as fast as they come; the latency that matters is from
//! a run of M items a millisecond apart (at full speed, latency is time
//! spent queued). Every client reads the raw notices and takes the item
//! out of each the same way. Servers and clients run in this one process,
//! on a two-thread runtime (shared memory adds its server's connection
//! thread and its client's reading thread). diglot's
//! subscription buffer is set to hold every item, so that the run
//! measures delivery, not the lag policy; jsonrpsee waits for room in its
//! buffer instead.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use diglot::transport::feed::Notices;
use diglot::transport::shm::ShmClient;
use diglot::{
    Dispatcher, HttpEndpoint, Limits, LocalEndpoint, LocalName, Server, ShmConfig, ShmEndpoint,
    Subscription,
};
use futures_util::{SinkExt as _, StreamExt as _, stream};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio_tungstenite::tungstenite::Message;

/// Nanoseconds since the first call, on the clock every item is stamped with.
fn now_ns() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    u64::try_from(START.get_or_init(Instant::now).elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// What every server in the run offers.
#[diglot::rpc(namespace = "bench", server)]
pub trait Bench {
    /// `count` items `[n, sent_ns]`, as fast as they are taken, or one
    /// every `every_ms` milliseconds.
    #[rpc(subscription)]
    fn items(&self, count: u64, every_ms: u64) -> Subscription<(u64, u64)>;
}

struct Items;

impl Bench for Items {
    fn items(&self, count: u64, every_ms: u64) -> Subscription<(u64, u64)> {
        if every_ms == 0 {
            return Subscription::new(stream::iter(0..count).map(|n| (n, now_ns())));
        }
        let ticks = tokio::time::interval(Duration::from_millis(every_ms));
        Subscription::new(stream::unfold(
            (0, ticks),
            move |(n, mut ticks)| async move {
                if n == count {
                    return None;
                }
                ticks.tick().await;
                Some(((n, now_ns()), (n + 1, ticks)))
            },
        ))
    }
}

async fn serve_diglot(items: u64, socket: LocalName, shm: LocalName) -> SocketAddr {
    let dispatcher = Dispatcher::builder()
        .service(BenchService::new(Items))
        .limits(Limits::default().max_subscription_buffer(usize::try_from(items).unwrap()))
        .build()
        .unwrap();
    let server = Server::new(dispatcher)
        .endpoint(HttpEndpoint::new("127.0.0.1:0".parse().unwrap()))
        .endpoint(LocalEndpoint::new(socket))
        .endpoint(ShmEndpoint::new(shm))
        .bind()
        .await
        .unwrap();
    let addr = match server.addresses()[0].1 {
        diglot::transport::Address::Socket(addr) => addr,
        _ => unreachable!("the first endpoint is HTTP"),
    };
    tokio::spawn(server.serve_until(std::future::pending()));
    addr
}

async fn serve_jsonrpsee() -> SocketAddr {
    use jsonrpsee::server::{RpcModule, Server as JServer};
    let mut module = RpcModule::new(());
    module
        .register_subscription(
            "bench.items",
            "bench.items",
            "bench.unitems",
            |params, pending, _, _| async move {
                let Ok((count, every_ms)) = params.parse::<(u64, u64)>() else {
                    return;
                };
                let Ok(sink) = pending.accept().await else {
                    return;
                };
                let mut ticks = tokio::time::interval(Duration::from_millis(every_ms.max(1)));
                for n in 0..count {
                    if every_ms > 0 {
                        ticks.tick().await;
                    }
                    let item = serde_json::value::to_raw_value(&(n, now_ns())).unwrap();
                    if sink.send(item).await.is_err() {
                        return;
                    }
                }
            },
        )
        .unwrap();
    let server = JServer::builder()
        .build("127.0.0.1:0".parse::<SocketAddr>().unwrap())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let handle = server.start(module);
    tokio::spawn(handle.stopped());
    addr
}

/// What one subscription's delivery took.
struct Run {
    per_second: f64,
    p50_us: f64,
    p99_us: f64,
}

/// Reads `count` items from `texts`, the messages a client receives.
async fn measure(
    count: u64,
    started: Instant,
    mut texts: impl futures_util::Stream<Item = String> + Unpin,
) -> Run {
    let mut latencies = Vec::with_capacity(usize::try_from(count).unwrap());
    let mut seen = 0;
    while seen < count {
        let text = texts.next().await.expect("the connection ended early");
        let arrived = now_ns();
        let Some((n, sent)) = item_of(&text) else {
            continue; // the answer, or the end notice
        };
        assert_eq!(n, seen, "items in order");
        latencies.push(arrived.saturating_sub(sent));
        seen += 1;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize] as f64 / 1e3;
    Run {
        per_second: count as f64 / elapsed.as_secs_f64(),
        p50_us: at(0.50),
        p99_us: at(0.99),
    }
}

/// The item `[n, sent_ns]` a notice carries, read without a JSON parser
/// (the same cheap way for every client, so that the transports differ,
/// not the reading).
fn item_of(text: &str) -> Option<(u64, u64)> {
    let at = text.find("\"result\":[")? + "\"result\":[".len();
    let (n, rest) = text[at..].split_once(',')?;
    let (sent, _) = rest.split_once(']')?;
    Some((n.parse().ok()?, sent.parse().ok()?))
}

async fn over_websocket(addr: SocketAddr, count: u64, every_ms: u64) -> Run {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(format!("ws://{addr}/"), tcp)
        .await
        .unwrap();
    let started = Instant::now();
    let call = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"bench.items","params":[{count},{every_ms}]}}"#
    );
    ws.send(Message::text(call)).await.unwrap();
    let texts = ws.by_ref().filter_map(|message| async move {
        match message {
            Ok(Message::Text(text)) => Some(text.to_string()),
            _ => None,
        }
    });
    let run = measure(count, started, Box::pin(texts)).await;
    let _ = ws.close(None).await;
    run
}

async fn over_unix(path: &std::path::Path, count: u64, every_ms: u64) -> Run {
    let socket = tokio::net::UnixStream::connect(path).await.unwrap();
    let (read, mut write) = socket.into_split();
    let lines = BufReader::with_capacity(64 * 1024, read).lines();
    let started = Instant::now();
    let call = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"bench.items\",\"params\":[{count},{every_ms}]}}\n"
    );
    write.write_all(call.as_bytes()).await.unwrap();
    let texts = stream::unfold(lines, |mut lines| async move {
        let line = lines.next_line().await.ok()??;
        Some((line, lines))
    });
    measure(count, started, Box::pin(texts)).await
}

/// The subscription a notice is for: the bench has one at a time.
fn any_subscription(body: &[u8]) -> Option<u64> {
    (body.starts_with(br#"{"jsonrpc":"2.0","method""#)).then_some(1)
}

/// The id the subscribe call's answer carries, as far as the router cares.
fn started(body: &[u8]) -> Option<u64> {
    (!body.starts_with(br#"{"jsonrpc":"2.0","method""#)).then_some(1)
}

async fn over_shm(name: &LocalName, count: u64, every_ms: u64) -> Run {
    let client = ShmClient::connect(name, &ShmConfig::default()).unwrap();
    // The queue holds every item, as the server's does: the run measures
    // delivery, not the client's lag policy.
    let (feed, notices) = tokio::sync::mpsc::channel(usize::try_from(count).unwrap() + 2);
    let started_at = Instant::now();
    let call = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"bench.items","params":[{count},{every_ms}]}}"#
    );
    let reading = Notices {
        subscription_of: any_subscription,
        started,
    };
    let answer = client.subscribe(call.as_bytes(), reading, feed).unwrap();
    answer.await.unwrap();
    let texts = stream::unfold(notices, |mut notices| async move {
        let body = notices.recv().await?;
        Some((String::from_utf8(body).unwrap(), notices))
    });
    measure(count, started_at, Box::pin(texts)).await
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(default)
    };
    let (count, paced, rounds) = (
        flag("--items", 100_000),
        flag("--paced", 1_000),
        flag("--rounds", 5),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir =
        std::env::temp_dir().join(format!("diglot-subscription-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("bench.sock");
    let shm = LocalName::Path(dir.join("bench.shm"));
    runtime.block_on(async {
        now_ns();
        let diglot_addr = serve_diglot(count, LocalName::Path(socket.clone()), shm.clone()).await;
        let jsonrpsee_addr = serve_jsonrpsee().await;
        let names = [
            "diglot WebSocket",
            "jsonrpsee WebSocket",
            "diglot Unix socket",
            "diglot shared memory",
        ];
        let run = |which: usize, count: u64, every_ms: u64| {
            let socket = socket.clone();
            let shm = shm.clone();
            async move {
                match which {
                    0 => over_websocket(diglot_addr, count, every_ms).await,
                    1 => over_websocket(jsonrpsee_addr, count, every_ms).await,
                    2 => over_unix(&socket, count, every_ms).await,
                    _ => over_shm(&shm, count, every_ms).await,
                }
            }
        };
        // Warm-up.
        for which in 0..names.len() {
            run(which, count / 10, 0).await;
        }
        // Rate: items as fast as they come. Latency: one item a millisecond,
        // so that it is delivery, not queueing, that is timed.
        let phases = [
            ("as fast as they come", count, 0),
            ("one a millisecond", paced, 1),
        ];
        for (phase, count, every_ms) in phases {
            println!("\n{phase}: {count} items, {rounds} rounds in rotating order");
            let mut runs: Vec<Vec<Run>> = names.iter().map(|_| Vec::new()).collect();
            for round in 0..rounds {
                for k in 0..names.len() {
                    let which = (k + round as usize) % names.len();
                    let result = run(which, count, every_ms).await;
                    println!(
                        "round {} {:<20} {:>10.0} items/s  p50 {:>9.1} µs  p99 {:>9.1} µs",
                        round + 1,
                        names[which],
                        result.per_second,
                        result.p50_us,
                        result.p99_us
                    );
                    runs[which].push(result);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            println!("medians:");
            for (k, name) in names.iter().enumerate() {
                println!(
                    "{:<20} {:>10.0} items/s  p50 {:>9.1} µs  p99 {:>9.1} µs",
                    name,
                    median(runs[k].iter().map(|r| r.per_second).collect()),
                    median(runs[k].iter().map(|r| r.p50_us).collect()),
                    median(runs[k].iter().map(|r| r.p99_us).collect()),
                );
            }
            // Ratios per round, then their median.
            let ratio = |a: usize, b: usize, of: fn(&Run) -> f64| {
                median(
                    runs[a]
                        .iter()
                        .zip(&runs[b])
                        .map(|(x, y)| of(x) / of(y))
                        .collect(),
                )
            };
            if every_ms == 0 {
                println!(
                    "rate, diglot WebSocket / jsonrpsee WebSocket: {:.3}",
                    ratio(0, 1, |r| r.per_second)
                );
                println!(
                    "rate, diglot Unix socket / diglot WebSocket:  {:.3}",
                    ratio(2, 0, |r| r.per_second)
                );
                println!(
                    "rate, diglot shared memory / Unix socket:     {:.3}",
                    ratio(3, 2, |r| r.per_second)
                );
            } else {
                println!(
                    "p50, diglot WebSocket / jsonrpsee WebSocket:  {:.3}",
                    ratio(0, 1, |r| r.p50_us)
                );
                println!(
                    "p99, diglot WebSocket / jsonrpsee WebSocket:  {:.3}",
                    ratio(0, 1, |r| r.p99_us)
                );
                println!(
                    "p50, diglot shared memory / Unix socket:      {:.3}",
                    ratio(3, 2, |r| r.p50_us)
                );
            }
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}
