//! `diglot`: list, describe and call the methods of any XML-RPC or JSON-RPC
//! service, over HTTP(S), TCP, Unix sockets, named pipes, shared memory or
//! a child's stdio.
//!
//! Exit codes: 0 an answer, 1 a fault, 2 a usage error, 3 a transport or
//! protocol error.

mod introspect;
mod session;
mod target;
mod values;

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};
use diglot::{ClientError, Fault, Protocol, Struct, Value};

use session::Session;
use target::{ConnectOptions, Target};
use values::{Arg, Params};

const EXAMPLES: &str = "\
Examples:
  diglot list http://127.0.0.1:8080/RPC2
  diglot describe tcp://127.0.0.1:7070 calc.add
  diglot call http://127.0.0.1:8080/RPC2 calc.add 2 3
  diglot call unix:///tmp/diglot-calculator.sock calc.add a=2 b=3
  diglot call --xml shm:///tmp/diglot-calculator.shm calc.echo '{\"$base64\": \"aGk=\"}'
  diglot call 'stdio:./calculator --stdio' calc.div 1 0
  printf 'calc.add 1 2\\ncalc.div 1 0\\n' | diglot batch tcp://127.0.0.1:7070

Servers: http://HOST[:PORT]/PATH, https://…, tcp://HOST:PORT, unix:///PATH,
unix://@NAME (Linux abstract), shm:///PATH (Linux), pipe:NAME (Windows),
stdio:COMMAND [ARGS…] (a child process spoken to over its stdin and stdout).

Exit codes: 0 an answer, 1 a fault, 2 a usage error, 3 a transport or
protocol error.";

/// List, describe and call the methods of XML-RPC and JSON-RPC services.
#[derive(Debug, Parser)]
#[command(name = "diglot", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the methods a server offers, with the first line of each one's help.
    List {
        /// The server.
        server: String,
        #[command(flatten)]
        options: Options,
    },
    /// Show a method's signatures, parameters and help.
    Describe {
        /// The server.
        server: String,
        /// The method's name.
        method: String,
        #[command(flatten)]
        options: Options,
    },
    /// Call a method and print its result as JSON.
    ///
    /// Each argument is a JSON literal (a word that is not JSON is a string),
    /// or `name=value` to pass parameters by name. When the server gives the
    /// method's signature, arguments take its types: `42` for a string
    /// parameter is "42", `2026-12-04T10:00:00` for a dateTime is a dateTime.
    /// XML-RPC's dateTime and base64 are written {"$dateTime": "…"} and
    /// {"$base64": "…"}, in results and in arguments.
    Call {
        /// The server.
        server: String,
        /// The method's name.
        method: String,
        /// The parameters: JSON literals by position, or name=value (after
        /// `--`, words that start with `-` too).
        #[arg(allow_negative_numbers = true)]
        args: Vec<String>,
        /// Send a JSON-RPC notification: no answer, nothing printed.
        #[arg(long)]
        notify: bool,
        /// Print the response body exactly as received.
        #[arg(long)]
        raw: bool,
        #[command(flatten)]
        options: Options,
    },
    /// Send many calls in one request (a JSON-RPC batch, or an XML-RPC
    /// system.multicall), one per line of FILE or stdin: METHOD ARGS…,
    /// words split as a shell would.
    Batch {
        /// The server.
        server: String,
        /// The file of calls; `-` or none for stdin.
        file: Option<PathBuf>,
        /// Print the response body exactly as received.
        #[arg(long)]
        raw: bool,
        #[command(flatten)]
        options: Options,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
struct Options {
    /// Speak XML-RPC.
    #[arg(long, conflicts_with = "json")]
    xml: bool,
    /// Speak JSON-RPC (the default, with XML-RPC when the server does not
    /// answer JSON-RPC).
    #[arg(long)]
    json: bool,
    /// Seconds to wait for a connection and for each answer.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    timeout: f64,
    /// An HTTP header for every request, such as 'Authorization: Bearer …'.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Trust only the certificates in this PEM file for HTTPS.
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// Show each request and response body on stderr.
    #[arg(short, long)]
    verbose: bool,
}

/// Why the command did not print an answer, as an exit code and a message.
enum Failure {
    Fault(Fault),
    Usage(String),
    Transport(ClientError),
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Fault(fault) => Failure::Fault(fault),
            ClientError::Encode(fault) => Failure::Usage(fault.message),
            ClientError::InvalidAddress(why) | ClientError::InvalidOption(why) => {
                Failure::Usage(why)
            }
            other => Failure::Transport(other),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("diglot: cannot start: {e}");
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(Failure::Fault(fault)) => {
            print_fault(&fault);
            ExitCode::from(1)
        }
        Err(Failure::Usage(why)) => {
            eprintln!("diglot: {why}");
            ExitCode::from(2)
        }
        Err(Failure::Transport(error)) => {
            let mut message = error.to_string();
            let mut source = std::error::Error::source(&error);
            // Each layer's message may already quote the one below it.
            while let Some(cause) = source {
                let cause_text = cause.to_string();
                if !message.contains(&cause_text) {
                    message.push_str(&format!(": {cause_text}"));
                }
                source = cause.source();
            }
            eprintln!("diglot: {message}");
            ExitCode::from(3)
        }
    }
}

fn print_fault(fault: &Fault) {
    eprintln!("fault {}: {}", fault.code, fault.message);
    if let Some(data) = &fault.data {
        eprintln!("data: {}", values::Shown(data).to_json_line());
    }
}

async fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::List { server, options } => {
            let mut session = open(&server, &options).await?;
            let methods = introspect::list(&mut session).await?;
            print!("{}", introspect::render_list(&methods));
        }
        Command::Describe {
            server,
            method,
            options,
        } => {
            let mut session = open(&server, &options).await?;
            let method = introspect::describe(&mut session, &method).await?;
            print!("{}", introspect::render_method(&method));
        }
        Command::Call {
            server,
            method,
            args,
            notify,
            raw,
            options,
        } => {
            let args: Vec<Arg> = args.iter().map(|a| Arg::parse(a)).collect();
            if notify {
                if options.xml {
                    return Err(Failure::Usage("XML-RPC has no notifications".into()));
                }
                let forced = Options {
                    json: true,
                    ..options
                };
                let mut session = open(&server, &forced).await?;
                session
                    .notify(
                        &method,
                        &values::params(&args, None).map_err(Failure::Usage)?,
                    )
                    .await?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut session = open(&server, &options).await?;
            let types = parameter_types(&mut session, &method, &args).await?;
            let params = values::params(&args, types.as_deref()).map_err(Failure::Usage)?;
            let answer = session.call(&method, &params).await?;
            if raw {
                print_raw(&answer.body);
            }
            match answer.outcome {
                Ok(result) if !raw => println!("{}", values::pretty(&result)),
                Ok(_) => {}
                Err(fault) => return Err(Failure::Fault(fault)),
            }
        }
        Command::Batch {
            server,
            file,
            raw,
            options,
        } => {
            let calls = read_batch(file.as_deref())?;
            let mut session = open(&server, &options).await?;
            let answers = session.batch(&calls).await?;
            if raw {
                print_raw(&answers.body);
            }
            let faults = answers.outcomes.iter().filter(|o| o.is_err()).count();
            if !raw {
                let shown: Vec<Value> = answers
                    .outcomes
                    .into_iter()
                    .map(|outcome| match outcome {
                        Ok(result) => result,
                        Err(fault) => fault_value(fault),
                    })
                    .collect();
                println!("{}", values::pretty(&Value::Array(shown)));
            }
            if faults > 0 {
                eprintln!("{faults} of {} calls answered with a fault", calls.len());
                return Ok(ExitCode::from(1));
            }
        }
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "diglot", &mut std::io::stdout());
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn open(server: &str, options: &Options) -> Result<Session, Failure> {
    let target = Target::parse(server).map_err(Failure::Usage)?;
    if !options.timeout.is_finite() || options.timeout <= 0.0 {
        return Err(Failure::Usage(
            "--timeout takes a positive number of seconds".into(),
        ));
    }
    let mut headers = Vec::with_capacity(options.headers.len());
    for header in &options.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| Failure::Usage(format!("-H {header:?}: expected 'NAME: VALUE'")))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let forced = match (options.xml, options.json) {
        (true, _) => Some(Protocol::XmlRpc),
        (_, true) => Some(Protocol::JsonRpc),
        _ => None,
    };
    let connect = ConnectOptions {
        timeout: Some(Duration::from_secs_f64(options.timeout)),
        headers,
        cacert: options.cacert.clone(),
    };
    Ok(Session::open(target, connect, forced, options.verbose).await?)
}

/// The XML-RPC types of the method's parameters, from the signature with
/// as many parameters as there are arguments, when the server gives one.
async fn parameter_types(
    session: &mut Session,
    method: &str,
    args: &[Arg],
) -> Result<Option<Vec<String>>, Failure> {
    if args.is_empty() || args.iter().any(|a| a.name.is_some()) {
        return Ok(None);
    }
    let signatures = introspect::signatures(session, method).await?;
    Ok(signatures
        .into_iter()
        .find(|s| s.len() == args.len() + 1)
        .map(|mut s| s.split_off(1)))
}

/// Reads `METHOD ARGS…` lines; blank lines and `#` comments are skipped.
fn read_batch(file: Option<&std::path::Path>) -> Result<Vec<(String, Params)>, Failure> {
    let text = match file {
        Some(path) if path != std::path::Path::new("-") => std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?,
        _ => {
            let mut text = String::new();
            std::io::stdin()
                .lock()
                .read_to_string(&mut text)
                .map_err(|e| Failure::Usage(format!("stdin: {e}")))?;
            text
        }
    };
    let mut calls = Vec::new();
    for (n, line) in text.as_bytes().lines().enumerate() {
        let line = line.map_err(|e| Failure::Usage(e.to_string()))?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |why: String| Failure::Usage(format!("line {}: {why}", n + 1));
        let words = shlex::split(line).ok_or_else(|| at("unbalanced quotes".into()))?;
        let (method, args) = words.split_first().ok_or_else(|| at("no method".into()))?;
        let args: Vec<Arg> = args.iter().map(|a| Arg::parse(a)).collect();
        calls.push((method.clone(), values::params(&args, None).map_err(at)?));
    }
    if calls.is_empty() {
        return Err(Failure::Usage(
            "no calls: give one per line, METHOD ARGS…".into(),
        ));
    }
    Ok(calls)
}

/// A fault in a batch's output: `{"fault": {"code": …, "message": …}}`.
fn fault_value(fault: Fault) -> Value {
    let mut shown = Struct::new();
    shown.insert("code", fault.code);
    shown.insert("message", fault.message);
    if let Some(data) = fault.data {
        shown.insert("data", *data);
    }
    Value::Struct(Struct::from_iter([("fault", shown)]))
}

fn print_raw(body: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(body);
    if !body.ends_with(b"\n") {
        let _ = out.write_all(b"\n");
    }
}
