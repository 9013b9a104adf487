//! Child processes for the integration tests: running a real client with a
//! time limit, and building the examples that tests run as a second
//! process.

use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What a client process did.
#[derive(Debug)]
pub struct Ran {
    /// How it exited.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs `command` to completion, feeding it `stdin` if given (else it reads
/// nothing), for at most `limit`: past it the child is killed and the test
/// fails. Panics with `missing` if the program is not found.
pub fn run(mut command: Command, stdin: Option<&[u8]>, limit: Duration, missing: &str) -> Ran {
    // Loopback only: never through a proxy the environment may name.
    command.env("no_proxy", "*").env("NO_PROXY", "*");
    let shown = format!("{command:?}");
    let mut child = match command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == io::ErrorKind::NotFound => panic!("{missing}"),
        Err(e) => panic!("could not start {shown}: {e}"),
    };
    // Closing stdin once written is the client's end of input.
    let fed = stdin.map(|bytes| {
        let mut input = child.stdin.take().expect("piped");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = input.write_all(&bytes);
        })
    });
    // Drain the pipes on threads so that a chatty child cannot block.
    let drain = |mut pipe: Box<dyn io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped")));
    let err = drain(Box::new(child.stderr.take().expect("piped")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting on the child") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = out.join().unwrap();
            let stderr = err.join().unwrap();
            panic!("{shown} did not finish within {limit:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if let Some(fed) = fed {
        let _ = fed.join();
    }
    Ran {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// The executable of the example `name` of `diglot-examples`, built with
/// cargo once per test process (in the profile the tests run in; cargo
/// rebuilds it only when a source changed, so it is never stale).
pub fn example_binary(name: &str) -> PathBuf {
    binary(name, &["-p", "diglot-examples", "--example", name])
}

/// The calculator example's executable.
pub fn calculator_binary() -> PathBuf {
    example_binary("calculator")
}

/// The `diglot` command line, built the same way.
pub fn diglot_binary() -> PathBuf {
    binary(
        "diglot",
        &["-p", "diglot", "--features", "cli", "--bin", "diglot"],
    )
}

fn binary(name: &str, target: &[&str]) -> PathBuf {
    static BUILT: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, path)) = built.iter().find(|(n, _)| n == name) {
        return path.clone();
    }
    let path = build(name, target);
    built.push((name.to_owned(), path.clone()));
    path
}

fn build(name: &str, target: &[&str]) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .join("Cargo.toml");
    let mut command = Command::new(cargo);
    command
        .args([
            "build",
            "--quiet",
            "--message-format=json-render-diagnostics",
        ])
        .args(target)
        .arg("--manifest-path")
        .arg(&manifest)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo to build {name}: {e}"));
    assert!(
        out.status.success(),
        "`cargo build {}` failed: {}",
        target.join(" "),
        out.status
    );
    // The artifact message names the executable wherever the target
    // directory is (CARGO_TARGET_DIR, a custom profile, ...).
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo reports no executable for {name}"))
}

/// The message when `python3` is missing.
pub const NO_PYTHON: &str = "python3 was not found on PATH. The interop tests run real Python \
     clients; install Python 3 (the README's test command puts one first on PATH).";

/// A helper script in `tests/python/`.
pub fn python_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("python")
        .join(name)
}

/// Runs `python3 tests/python/<script> <args…>` (at most `limit`).
pub fn python(script: &str, args: &[&str], limit: Duration) -> Ran {
    let mut command = Command::new("python3");
    command.arg(python_script(script)).args(args);
    // Unbuffered, so a killed script still shows how far it got.
    command.env("PYTHONUNBUFFERED", "1");
    run(command, None, limit, NO_PYTHON)
}

/// Asserts that a helper script succeeded and printed `VERDICT: ok`.
#[track_caller]
pub fn assert_verdict(ran: &Ran, what: &str) {
    // Shown with `--nocapture`, and on failure.
    println!("{what}:\n{}", ran.stdout);
    let verdict = ran
        .stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("VERDICT:"))
        .unwrap_or("(no VERDICT line)");
    assert!(
        ran.status.success() && verdict.starts_with("VERDICT: ok"),
        "{what}: exit {}, {verdict}\nstdout:\n{}\nstderr:\n{}",
        ran.status,
        ran.stdout,
        ran.stderr
    );
}

/// A child process killed (and reaped) when dropped, so that a failing
/// test does not leave it running.
#[derive(Debug)]
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
