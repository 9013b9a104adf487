//! What the fuzz targets share: a dispatcher serving the calculator, a
//! runtime to run it on, and the checks every answer must pass.

use std::sync::OnceLock;

use diglot::{Dispatcher, Limits, Protocol, Value};
use diglot_examples::calc::{Calc, CalculatorService};

/// The calculator behind a dispatcher with small limits, so that the
/// fuzzer reaches them.
pub fn dispatcher() -> &'static Dispatcher {
    static DISPATCHER: OnceLock<Dispatcher> = OnceLock::new();
    DISPATCHER.get_or_init(|| {
        Dispatcher::builder()
            .service(CalculatorService::new(Calc))
            .limits(
                Limits::default()
                    .max_body_bytes(64 * 1024)
                    .max_depth(16)
                    .max_batch_len(8)
                    .max_calls(16),
            )
            .build()
            .expect("the calculator's names are unique")
    })
}

/// One current-thread runtime for every run.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// Answers `body` in `protocol` and checks the answer is well-formed in
/// that protocol: a fault or a result, never a panic or garbage.
pub fn dispatch(body: &[u8], protocol: Protocol) {
    let reply = runtime().block_on(dispatcher().handle_body(body, Some(protocol)));
    assert_eq!(reply.protocol, protocol);
    match protocol {
        Protocol::XmlRpc => {
            let decoded = diglot::xml::decode_response::<Value>(&reply.body, &Limits::default());
            assert!(
                decoded.is_ok(),
                "diglot wrote an answer it cannot read: {:?}",
                String::from_utf8_lossy(&reply.body)
            );
        }
        Protocol::JsonRpc => {
            if !reply.body.is_empty() {
                // JSON by the grammar: an id is echoed exactly as sent, and a
                // number past f64's range (`1e919`) is valid JSON that
                // `serde_json::Value` cannot hold, so it is checked as raw.
                let parsed: Result<&serde_json::value::RawValue, _> =
                    serde_json::from_slice(&reply.body);
                assert!(
                    parsed.is_ok(),
                    "diglot wrote an answer that is not JSON: {:?}",
                    String::from_utf8_lossy(&reply.body)
                );
            }
        }
    }
}
