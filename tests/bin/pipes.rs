//! Local sockets end to end between two processes — a named pipe on
//! Windows, a socket file on Unix. CI cross-compiles it for Windows and runs
//! it under Wine (`.ci/windows`); `cargo run -p diglot-tests --bin pipes`
//! runs it natively.
//!
//! `pipes` starts a copy of itself as the server and runs every check
//! against it, printing one line per check, and exits non-zero on the
//! first failure. `pipes --serve NAME` is that server: the calculator and the
//! `probe.*` service on the local name, until killed; `pipes --stdio`
//! serves the same on stdin and stdout.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use diglot::{ClientError, Dispatcher, LocalName, Protocol, Server, StreamConnection, Value};
use diglot_examples::calc::{Calc, CalculatorClient, CalculatorService};
use diglot_tests::probe::{ProbeClient, ProbeImpl, ProbeService};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

type Failure = Box<dyn std::error::Error>;

fn dispatcher() -> Dispatcher {
    Dispatcher::builder()
        .service(CalculatorService::new(Calc))
        .service(ProbeService::new(ProbeImpl))
        .build()
        .expect("the services' method names are distinct")
}

/// A name no other run uses.
fn fresh_name() -> LocalName {
    // Wine numbers processes from 32 in every prefix: the pid alone repeats.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let id = format!("diglot-pipes-{}-{nanos}", std::process::id());
    #[cfg(windows)]
    return LocalName::Pipe(id);
    #[cfg(unix)]
    return LocalName::Path(std::env::temp_dir().join(format!("{id}.sock")));
}

/// The server process, killed when dropped.
struct ServerProcess(Child);

impl ServerProcess {
    /// Starts `pipes --serve NAME` and waits for its `ready` line.
    fn start(name: &LocalName) -> Result<Self, Failure> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--serve", &name.to_string()])
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("the server's stdout")?;
        let server = ServerProcess(child);
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        if line.trim() != "ready" {
            return Err(format!("the server said {line:?} instead of ready").into());
        }
        Ok(server)
    }

    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Fails unless `got` is `want`.
fn expect<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), Failure> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}").into())
    }
}

/// The typed client in both protocols: results, a nested value, a fault,
/// and 64 calls in flight at once on one connection.
async fn typed_client(name: &LocalName) -> Result<String, Failure> {
    for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
        let calc = CalculatorClient::new(StreamConnection::local(name, protocol).await?);
        expect("add", calc.add(2, 3).await?, 5)?;
        let nested = Value::from(vec![Value::from("pipe"), Value::from(1_i64 << 40)]);
        expect("echo", calc.echo(nested.clone()).await?, nested)?;
        match calc.div(1.0, 0.0).await {
            Err(ClientError::Fault(fault)) => {
                expect("fault code", fault.code, Calc::DIVISION_BY_ZERO)?
            }
            other => return Err(format!("{protocol:?}: div by zero gave {other:?}").into()),
        }
        // 64 calls in flight at once on one connection.
        let calc = std::sync::Arc::new(calc);
        let calls: Vec<_> = (0..64)
            .map(|i| {
                let calc = calc.clone();
                tokio::spawn(async move { (i, calc.add(i, 1000).await) })
            })
            .collect();
        for call in calls {
            let (i, sum) = call.await?;
            expect("concurrent add", sum?, i + 1000)?;
        }
    }
    Ok("add, echo, a fault and 64 concurrent calls in JSON-RPC and XML-RPC".to_owned())
}

/// A method sees the calling process's id in its context.
async fn caller_process(name: &LocalName) -> Result<String, Failure> {
    let probe = ProbeClient::new(StreamConnection::local(name, Protocol::JsonRpc).await?);
    let me = std::process::id();
    expect("the caller's process id", probe.process().await?, Some(me))?;
    Ok(format!("the method saw process {me}, this one"))
}

/// A second server on a name that is being served is refused, and the
/// first one goes on serving.
async fn second_server(name: &LocalName) -> Result<String, Failure> {
    let refused = match Server::new(dispatcher()).local(name.clone()).bind().await {
        Ok(_) => return Err("a second server bound a live name".into()),
        Err(e) => e,
    };
    let calc = CalculatorClient::new(StreamConnection::local(name, Protocol::JsonRpc).await?);
    expect("add after the refusal", calc.add(1, 1).await?, 2)?;
    Ok(format!("refused: {refused}"))
}

/// A client that sends a slow call and disconnects before the answer
/// costs the server nothing: the next client is answered.
async fn client_leaves_mid_call(name: &LocalName) -> Result<String, Failure> {
    for _ in 0..3 {
        let mut raw = raw_connect(name).await?;
        raw.write_all(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"probe.delayed\",\"params\":[7,300],\"id\":1}\n",
        )
        .await?;
        drop(raw);
    }
    let calc = CalculatorClient::new(StreamConnection::local(name, Protocol::XmlRpc).await?);
    expect("add after three clients left", calc.add(4, 5).await?, 9)?;
    // And a raw exchange, frame by frame, still works.
    let mut raw = raw_connect(name).await?;
    raw.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[20,22],\"id\":9}\n")
        .await?;
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\n") {
        tokio::time::timeout(Duration::from_secs(5), raw.read_exact(&mut byte)).await??;
        answer.push(byte[0]);
    }
    let answer = String::from_utf8(answer)?;
    if !answer.contains("\"result\":42") {
        return Err(format!("raw answer {answer:?}").into());
    }
    Ok("three clients left mid-call; the next typed and raw calls were answered".to_owned())
}

/// The server process killed while a call is in flight: the call ends with
/// an error at once instead of hanging, and the name is free again.
async fn server_dies_mid_call(
    name: &LocalName,
    server: &mut ServerProcess,
) -> Result<String, Failure> {
    let calc = CalculatorClient::new(StreamConnection::local(name, Protocol::JsonRpc).await?);
    let client = diglot::Client::new(StreamConnection::local(name, Protocol::JsonRpc).await?);
    let slow = client.call::<_, i64>("probe.delayed", &(1, 10_000));
    let kill = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        server.kill();
        Instant::now()
    };
    let (ended, killed) = tokio::join!(tokio::time::timeout(Duration::from_secs(5), slow), kill);
    let error = match ended {
        Err(_) => return Err("the call hung for 5 s after the server died".into()),
        Ok(Ok(n)) => return Err(format!("a dead server answered {n}").into()),
        Ok(Err(e)) => e,
    };
    let noticed = killed.elapsed();
    if calc.add(1, 2).await.is_ok() {
        return Err("a call on a dead server's connection succeeded".into());
    }
    // The name can be served again.
    let again = Server::new(dispatcher()).local(name.clone()).bind().await?;
    drop(again);
    Ok(format!(
        "the call ended {noticed:?} after the kill: {error}; the name was bound again"
    ))
}

async fn raw_connect(
    name: &LocalName,
) -> Result<impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin, Failure> {
    #[cfg(windows)]
    {
        use interprocess::local_socket::traits::tokio::Stream as _;
        use interprocess::local_socket::{GenericNamespaced, ToNsName};
        let LocalName::Pipe(pipe) = name;
        let name = pipe.as_str().to_ns_name::<GenericNamespaced>()?;
        Ok(interprocess::local_socket::tokio::Stream::connect(name).await?)
    }
    #[cfg(unix)]
    {
        let LocalName::Path(path) = name else {
            return Err("a socket file".into());
        };
        Ok(tokio::net::UnixStream::connect(path).await?)
    }
}

/// A child process serving on its stdin and stdout, in both protocols.
async fn stdio_child() -> Result<String, Failure> {
    for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
        let mut command = tokio::process::Command::new(std::env::current_exe()?);
        command.arg("--stdio");
        let calc = CalculatorClient::new(StreamConnection::spawn(command, protocol)?);
        expect("add over stdio", calc.add(20, 22).await?, 42)?;
        let text = Value::from("line one\nline two");
        expect("echo over stdio", calc.echo(text.clone()).await?, text)?;
    }
    Ok("add and echo in both protocols".to_owned())
}

fn report(check: &str, what: String) {
    println!("ok  {check}: {what}");
}

async fn checks() -> Result<(), Failure> {
    let name = fresh_name();
    let mut server = ServerProcess::start(&name)?;
    println!("pipes: serving on {name}");
    report("typed client", typed_client(&name).await?);
    report("caller's process", caller_process(&name).await?);
    report("second server", second_server(&name).await?);
    report(
        "client leaves mid-call",
        client_leaves_mid_call(&name).await?,
    );
    report(
        "server dies mid-call",
        server_dies_mid_call(&name, &mut server).await?,
    );
    report("stdio child", stdio_child().await?);
    Ok(())
}

async fn serve(name: &str) -> Result<(), Failure> {
    let server = Server::new(dispatcher())
        .local(LocalName::parse(name))
        .bind()
        .await?;
    println!("ready");
    server.serve().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ran = match args.as_slice() {
        [flag, name] if flag == "--serve" => serve(name).await,
        [flag] if flag == "--stdio" => Server::new(dispatcher())
            .stdio()
            .serve()
            .await
            .map_err(Into::into),
        [] => checks().await,
        _ => Err("usage: pipes [--serve NAME]".into()),
    };
    match ran {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pipes: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
