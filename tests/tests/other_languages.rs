//! The clients in `examples/clients/`, one per language, each run as a user
//! runs it against the calculator example started as its own process.
//!
//! Each client must print exactly its `.out` file beside it, which the
//! guide's "From other languages" section shows together with the client.
//! A client whose interpreter or library is missing fails, naming the
//! Debian packages that bring it (the test command installs them).

#![cfg(unix)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use diglot_tests::process::{KillOnDrop, calculator_binary, run};

/// Where the aXMLRPC jar is installed by Debian's libaxmlrpc-java.
const AXMLRPC_JAR: &str = "/usr/share/java/axmlrpc.jar";

/// One client of `examples/clients/`.
struct Client {
    /// Its file in `examples/clients/`.
    file: &'static str,
    /// The program that runs it, and the arguments before the file.
    runner: &'static [&'static str],
    /// What it needs: the Debian packages.
    needs: &'static str,
}

const PYTHON: Client = Client {
    file: "call.py",
    runner: &["python3"],
    needs: "Python 3 (its standard library only)",
};
const RUBY: Client = Client {
    file: "call.rb",
    runner: &["ruby"],
    needs: "Debian's ruby and ruby-xmlrpc",
};
const PERL: Client = Client {
    file: "call.pl",
    runner: &["perl"],
    needs: "Debian's librpc-xml-perl (RPC::XML)",
};
const PHP: Client = Client {
    file: "call.php",
    runner: &["php"],
    needs: "Debian's php-cli and php-xmlrpc",
};
const JAVA: Client = Client {
    file: "Call.java",
    runner: &["java", "-cp", AXMLRPC_JAR],
    needs: "Java 11 or later and Debian's libaxmlrpc-java (aXMLRPC)",
};
const XMLRPC_C: Client = Client {
    file: "call-xmlrpc-c.sh",
    runner: &["sh"],
    needs: "Debian's libxmlrpc-core-c3-dev (xmlrpc-c's `xmlrpc` command)",
};
const CURL: Client = Client {
    file: "call-curl.sh",
    runner: &["sh"],
    needs: "Debian's curl",
};

const CLIENTS: [&Client; 7] = [&PYTHON, &RUBY, &PERL, &PHP, &JAVA, &XMLRPC_C, &CURL];

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/clients")
}

/// Starts the calculator on a free port, HTTP only, and reads the URL it
/// prints.
fn start_calculator() -> (KillOnDrop, String) {
    let mut calculator = KillOnDrop(
        Command::new(calculator_binary())
            .args(["--http", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the calculator starts"),
    );
    let stdout = calculator.0.stdout.take().expect("piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the calculator prints where it serves");
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (calculator, url)
}

/// Runs `client` against a calculator of its own and asserts that it prints
/// its `.out` file, byte for byte.
fn prints_what_the_guide_shows(client: &Client) {
    let dir = clients_dir();
    let expected = std::fs::read_to_string(dir.join(format!("{}.out", client.file)))
        .unwrap_or_else(|e| panic!("{}.out: {e}", client.file));
    let (_calculator, url) = start_calculator();

    let (program, args) = client.runner.split_first().expect("a runner");
    let mut command = Command::new(program);
    command
        .args(args)
        .arg(dir.join(client.file))
        .arg(&url)
        .current_dir(&dir);
    let missing = format!(
        "`{program}` was not found on PATH: {} needs {}; the test command \
         (bash .ci/test) installs what is missing",
        client.file, client.needs
    );
    let ran = run(command, None, Duration::from_secs(120), &missing);
    assert!(
        ran.status.success(),
        "{file} failed ({status}). It needs {needs}; the test command \
         (bash .ci/test) installs what is missing.\n\
         --- stdout\n{stdout}--- stderr\n{stderr}",
        file = client.file,
        status = ran.status,
        needs = client.needs,
        stdout = ran.stdout,
        stderr = ran.stderr,
    );
    assert!(
        ran.stdout == expected,
        "{file} printed other than {file}.out, which the guide shows (it \
         needs {needs}).\n\
         --- expected\n{expected}--- printed\n{stdout}--- stderr\n{stderr}",
        file = client.file,
        needs = client.needs,
        stdout = ran.stdout,
        stderr = ran.stderr,
    );
}

#[test]
fn python_xmlrpc_client_and_urllib() {
    prints_what_the_guide_shows(&PYTHON);
}

#[test]
fn ruby_xmlrpc() {
    prints_what_the_guide_shows(&RUBY);
}

#[test]
fn perl_rpc_xml_client() {
    prints_what_the_guide_shows(&PERL);
}

#[test]
fn php_xmlrpc_extension() {
    prints_what_the_guide_shows(&PHP);
}

#[test]
fn java_axmlrpc() {
    assert!(
        Path::new(AXMLRPC_JAR).is_file(),
        "{AXMLRPC_JAR} is missing: Call.java needs {}; the test command \
         (bash .ci/test) installs what is missing",
        JAVA.needs
    );
    prints_what_the_guide_shows(&JAVA);
}

#[test]
fn xmlrpc_c_command() {
    prints_what_the_guide_shows(&XMLRPC_C);
}

#[test]
fn curl_both_protocols() {
    prints_what_the_guide_shows(&CURL);
}

/// Every file in `examples/clients/` is a client run above or the output
/// of one, and the guide includes both.
#[test]
fn every_client_is_run_and_shown_in_the_guide() {
    let chapter = Path::new(env!("CARGO_MANIFEST_DIR")).join("../book/src/clients.md");
    let chapter = std::fs::read_to_string(chapter).expect("book/src/clients.md");
    let mut files: Vec<String> = std::fs::read_dir(clients_dir())
        .expect("examples/clients/")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    for file in &files {
        let client = file.strip_suffix(".out").unwrap_or(file);
        assert!(
            CLIENTS.iter().any(|c| c.file == client),
            "examples/clients/{file} belongs to no client this test runs"
        );
        assert!(
            chapter.contains(&format!("{{{{#include ../../examples/clients/{file}")),
            "book/src/clients.md does not include examples/clients/{file}"
        );
    }
    for client in CLIENTS {
        assert!(
            files.iter().any(|f| *f == format!("{}.out", client.file)),
            "{} has no {}.out",
            client.file,
            client.file
        );
    }
}
