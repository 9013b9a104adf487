//! The Unix socket's safety properties, against a real server.
//!
//! * the socket file is created with mode 0600 by default, and with the
//!   mode given to `LocalEndpoint::mode` when set;
//! * a stale socket file (its listener gone, the file left behind) is
//!   reclaimed by a new server, which then serves on it;
//! * a LIVE server's socket is never taken over: a second bind on the same
//!   path fails with `AddrInUse`, and the first server keeps serving;
//! * a regular file at the path is refused and left intact;
//! * the socket file is removed once the server stops (and when a bound
//!   server is dropped without serving);
//! * `diglot::caller()` inside a method reports this test process's uid,
//!   gid and pid over the Unix socket, and nothing over TCP;
//! * a Linux abstract name (`@diglot-test-…`) serves, and the typed client
//!   connects to it.

#![cfg(unix)]

mod stream_support;

use std::io::ErrorKind;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::Path;
use std::time::Duration;

use diglot::{LocalEndpoint, LocalName, Protocol, Server, StreamConnection};
use diglot_examples::calc::CalculatorClient;
use stream_support::{CallerInfo, ProbeClient, Served, TempDir, dispatcher, runtime};

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("the socket file exists")
        .permissions()
        .mode()
        & 0o777
}

/// A server on the Unix socket `name` only.
fn local_server(name: &LocalName) -> Server {
    Server::new(dispatcher()).local(name.clone())
}

/// A typed calculator call over `name` works (within 5 s).
async fn assert_serves(name: &LocalName, protocol: Protocol) {
    let call = async {
        let client = CalculatorClient::new(StreamConnection::local(name, protocol).await?);
        client.add(20, 22).await
    };
    let sum = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .unwrap_or_else(|_| panic!("a call on {name} timed out"))
        .unwrap_or_else(|e| panic!("a call on {name} failed: {e}"));
    assert_eq!(sum, 42);
}

#[test]
fn the_socket_file_is_private_by_default_and_takes_the_configured_mode() {
    let rt = runtime();
    let dir = TempDir::new();

    let default = LocalName::Path(dir.join("default.sock"));
    let server = Served::start(&rt, local_server(&default)).expect("binds");
    let meta = std::fs::symlink_metadata(dir.join("default.sock")).unwrap();
    assert!(meta.file_type().is_socket(), "a socket file is created");
    assert_eq!(
        mode_of(&dir.join("default.sock")),
        0o600,
        "only the owner may connect by default"
    );
    rt.block_on(assert_serves(&default, Protocol::JsonRpc));

    let shared = LocalName::Path(dir.join("shared.sock"));
    let configured = Served::start(
        &rt,
        Server::new(dispatcher()).endpoint(LocalEndpoint::new(shared.clone()).mode(0o660)),
    )
    .expect("binds");
    assert_eq!(mode_of(&dir.join("shared.sock")), 0o660, "the mode set");
    rt.block_on(assert_serves(&shared, Protocol::XmlRpc));

    // No staging file is left next to the sockets.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["default.sock", "shared.sock"]);

    server.stop().unwrap();
    configured.stop().unwrap();
}

#[test]
fn a_stale_socket_file_is_reclaimed() {
    let rt = runtime();
    let dir = TempDir::new();
    let path = dir.join("stale.sock");
    // A listener that "crashed": dropped, its file left behind.
    drop(std::os::unix::net::UnixListener::bind(&path).expect("a plain listener binds"));
    let meta = std::fs::symlink_metadata(&path).expect("the stale file stays");
    assert!(meta.file_type().is_socket());
    assert_eq!(
        std::os::unix::net::UnixStream::connect(&path)
            .expect_err("nobody listens on a stale socket")
            .kind(),
        ErrorKind::ConnectionRefused
    );

    let name = LocalName::Path(path.clone());
    let server = Served::start(&rt, local_server(&name)).expect("a stale socket is reclaimed");
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(mode_of(&path), 0o600);
    rt.block_on(assert_serves(&name, Protocol::JsonRpc));
    server.stop().unwrap();
}

#[test]
fn a_live_servers_socket_is_not_stolen() {
    let rt = runtime();
    let dir = TempDir::new();
    let path = dir.join("live.sock");
    let name = LocalName::Path(path.clone());
    let first = Served::start(&rt, local_server(&name)).expect("the first server binds");
    let inode = std::fs::metadata(&path).unwrap().ino();

    let error = Served::start(&rt, local_server(&name))
        .expect_err("a second server on a live socket must fail");
    assert_eq!(error.kind(), ErrorKind::AddrInUse, "{error}");

    assert_eq!(
        std::fs::metadata(&path).unwrap().ino(),
        inode,
        "the live socket file is untouched"
    );
    assert!(first.is_serving());
    rt.block_on(assert_serves(&name, Protocol::JsonRpc));
    rt.block_on(assert_serves(&name, Protocol::XmlRpc));
    first.stop().unwrap();
    assert!(!path.exists(), "removed by the server that made it");
}

#[test]
fn a_regular_file_at_the_path_is_refused_and_left_intact() {
    let rt = runtime();
    let dir = TempDir::new();
    let path = dir.join("precious.txt");
    std::fs::write(&path, "precious data\n").unwrap();

    let error = Served::start(&rt, local_server(&LocalName::Path(path.clone())))
        .expect_err("a regular file is no socket to reclaim");
    assert_eq!(error.kind(), ErrorKind::AlreadyExists, "{error}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "precious data\n",
        "the file is left intact"
    );

    // Nor is a directory taken over.
    let sub = dir.join("a-directory");
    std::fs::create_dir(&sub).unwrap();
    Served::start(&rt, local_server(&LocalName::Path(sub.clone())))
        .expect_err("a directory is no socket to reclaim");
    assert!(sub.is_dir());
}

#[test]
fn the_socket_file_is_removed_when_the_server_stops() {
    let rt = runtime();
    let dir = TempDir::new();

    let path = dir.join("served.sock");
    let name = LocalName::Path(path.clone());
    let server = Served::start(&rt, local_server(&name)).expect("binds");
    rt.block_on(assert_serves(&name, Protocol::JsonRpc));
    assert!(path.exists());
    server.stop().expect("serve_until returns Ok");
    assert!(!path.exists(), "the socket file is gone after stopping");
    let error = std::os::unix::net::UnixStream::connect(&path).expect_err("nobody listens");
    assert_eq!(error.kind(), ErrorKind::NotFound);

    // Bound but never served: dropping it removes the file too.
    let path = dir.join("bound.sock");
    let bound = rt
        .block_on(local_server(&LocalName::Path(path.clone())).bind())
        .unwrap();
    assert!(path.exists());
    drop(bound);
    assert!(
        !path.exists(),
        "the socket file is gone when the bound server is dropped"
    );

    // The path can be bound again at once.
    let name = LocalName::Path(path.clone());
    let again = Served::start(&rt, local_server(&name)).expect("binds again");
    rt.block_on(assert_serves(&name, Protocol::XmlRpc));
    again.stop().unwrap();
    assert!(!path.exists());
}

#[test]
fn caller_reports_the_peer_process_over_the_unix_socket_only() {
    let rt = runtime();
    let dir = TempDir::new();
    let name = LocalName::Path(dir.join("peer.sock"));
    let server = Server::new(dispatcher())
        .local(name.clone())
        .tcp("127.0.0.1:0".parse().unwrap());
    let server = Served::start(&rt, server).expect("binds");
    let tcp = server.addr("tcp");
    let uid = stream_support::effective_uid();
    let pid = i64::from(std::process::id());
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), async {
            for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
                let client =
                    ProbeClient::new(StreamConnection::local(&name, protocol).await.unwrap());
                let me: CallerInfo =
                    client.whoami().await.unwrap().unwrap_or_else(|| {
                        panic!("{protocol:?}: caller() is known on a Unix socket")
                    });
                assert_eq!(me.uid, i64::from(uid), "{protocol:?}: uid");
                assert_eq!(me.pid, Some(pid), "{protocol:?}: pid of this test process");

                let client = ProbeClient::new(StreamConnection::tcp(tcp, protocol).await.unwrap());
                assert_eq!(
                    client.whoami().await.unwrap(),
                    None,
                    "{protocol:?}: no peer credentials over TCP"
                );
            }
        })
        .await
        .expect("the calls finish within 10 s");
    });
    server.stop().unwrap();
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn a_linux_abstract_name_serves() {
    let rt = runtime();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let text = format!("@diglot-test-{}-{nanos:x}", std::process::id());
    let name = LocalName::parse(&text);
    assert!(matches!(&name, LocalName::Abstract(n) if !n.starts_with('@')));
    let server = Served::start(&rt, local_server(&name)).expect("an abstract name binds");
    assert_eq!(server.name("unix"), name);
    assert_eq!(server.name("unix").to_string(), text);
    assert!(
        !Path::new(&text).exists() && !Path::new(&text[1..]).exists(),
        "no file is created"
    );
    rt.block_on(assert_serves(&name, Protocol::JsonRpc));
    rt.block_on(assert_serves(&name, Protocol::XmlRpc));
    rt.block_on(async {
        let client = ProbeClient::new(
            StreamConnection::local(&name, Protocol::JsonRpc)
                .await
                .unwrap(),
        );
        let me = tokio::time::timeout(Duration::from_secs(5), client.whoami())
            .await
            .unwrap()
            .unwrap()
            .expect("peer credentials on an abstract socket too");
        assert_eq!(me.pid, Some(i64::from(std::process::id())));
    });
    // A second server on a live abstract name fails.
    let error = Served::start(&rt, local_server(&name)).expect_err("the name is taken");
    assert_eq!(error.kind(), ErrorKind::AddrInUse, "{error}");
    server.stop().unwrap();
}

#[test]
fn a_successors_socket_file_survives_the_old_server_stopping() {
    let rt = runtime();
    let dir = TempDir::new();
    let path = dir.join("handover.sock");
    let name = LocalName::Path(path.clone());
    let old = Served::start(&rt, local_server(&name)).expect("binds");
    let old_inode = std::fs::metadata(&path).unwrap().ino();
    // Someone removes the old server's file; a new server takes the path.
    std::fs::remove_file(&path).unwrap();
    let new = Served::start(&rt, local_server(&name)).expect("the path is free");
    let new_inode = std::fs::metadata(&path).unwrap().ino();
    println!("old inode {old_inode}, new inode {new_inode}");
    old.stop().unwrap();
    assert!(
        path.exists(),
        "the old server removed its successor's socket file"
    );
    rt.block_on(assert_serves(&name, Protocol::JsonRpc));
    new.stop().unwrap();
}
