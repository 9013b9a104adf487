//! Malformed and hostile input, in both protocols: every one is answered by a
//! [`Fault`] with the right code, nothing panics, nothing expands, nothing
//! nests without bound, and no fault repeats the request's text.
//!
//! | what | code |
//! |---|---|
//! | not well-formed, truncated, wrong or unknown elements, DOCTYPE, undefined entity | -32700 |
//! | UTF-16 without a byte-order mark, an encoding nobody knows (XML) | -32701 |
//! | bytes that are not text in the declared encoding | -32702 (XML), -32700 (JSON) |
//! | body over the size limit, nesting over the depth limit, not a request | -32600 |
//! | a value that does not fit: out of range, bad base64, bad date, wrong type, too many or too few parameters | -32602 |

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use diglot::json::{self, Id, Incoming};
use diglot::xml::{self, Dialect, MethodCall};
use diglot::{Bytes, DateTime, Fault, Limits, Struct, Value};
use serde::Deserialize;

mod damage;
mod depth;
mod echo;
mod encodings;
mod entities;
mod json_rules;
mod json_syntax;
mod members;
mod size;
mod structure;
mod truncation;
mod values;

const PARSE: i32 = Fault::PARSE_ERROR;
const ENCODING: i32 = Fault::UNSUPPORTED_ENCODING;
const CHARACTER: i32 = Fault::INVALID_CHARACTER;
const REQUEST: i32 = Fault::INVALID_REQUEST;
const PARAMS: i32 = Fault::INVALID_PARAMS;

/// Every code a codec may answer malformed input with.
const CODEC_CODES: [i32; 5] = [PARSE, ENCODING, CHARACTER, REQUEST, PARAMS];

/// A generous bound for work that must not grow with a hostile input's size;
/// refusals take microseconds, expansion or recursion would take far longer.
const FAST: Duration = Duration::from_secs(5);

/// Runs `f`, turning a panic into a test failure that names the input.
fn no_panic<T>(label: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("panicked on {label}"))
}

/// Reads a whole `methodCall` as dynamic values, finishing it.
fn read_call(body: &[u8]) -> Result<(String, Vec<Value>), Fault> {
    read_call_with(body, &Limits::default())
}

fn read_call_with(body: &[u8], limits: &Limits) -> Result<(String, Vec<Value>), Fault> {
    let mut call = MethodCall::parse(body, limits)?;
    let name = call.method_name().to_owned();
    let params: Vec<Value> = call.params()?;
    call.finish()?;
    Ok((name, params))
}

/// The fault a `methodCall` is refused with.
fn call_fault(body: &[u8]) -> Fault {
    let label = String::from_utf8_lossy(body).into_owned();
    match no_panic(&label, || read_call(body)) {
        Ok(read) => panic!("accepted {label:?} as {read:?}"),
        Err(fault) => fault,
    }
}

/// A `methodCall` of method `x` around the given `<params>` content.
fn call_with(params: &str) -> Vec<u8> {
    format!("<methodCall><methodName>x</methodName><params>{params}</params></methodCall>")
        .into_bytes()
}

/// A call with one parameter, the given `<value>` content.
fn call_with_value(value: &str) -> Vec<u8> {
    call_with(&format!("<param><value>{value}</value></param>"))
}

/// The fault a JSON-RPC body is refused with, whether it answers the whole
/// body or the single request in it.
fn json_fault(body: &[u8]) -> (Id<'static>, Fault) {
    let label = String::from_utf8_lossy(body).into_owned();
    match no_panic(&label, || json::parse(body, &Limits::default())) {
        Err(fault) => (Id::Null, fault),
        Ok(Incoming::Single(Err(rejected))) => (rejected.id.into_owned(), rejected.fault),
        Ok(other) => panic!("accepted {label:?} as {other:?}"),
    }
}

/// The single valid request in `body`.
fn json_request(body: &[u8]) -> json::Request<'_> {
    match json::parse(body, &Limits::default()) {
        Ok(Incoming::Single(Ok(request))) => request,
        other => panic!("not a valid request: {other:?}"),
    }
}

/// A JSON-RPC request body with the given `params` JSON text.
fn json_call(params: &str) -> Vec<u8> {
    format!(r#"{{"jsonrpc":"2.0","method":"m","params":{params},"id":1}}"#).into_bytes()
}

/// The code a truncated document must get: a cut through a multi-byte
/// character leaves bytes that are not UTF-8.
fn truncation_code(prefix: &[u8], not_utf8: i32) -> i32 {
    if std::str::from_utf8(prefix).is_ok() {
        PARSE
    } else {
        not_utf8
    }
}

/// A call with every value type and most of XML's lexical features: a
/// declaration, comments, a processing instruction, CDATA, references,
/// whitespace between elements, an untyped value and non-ASCII text.
const HANDWRITTEN_CALL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<!-- a comment --><?pi data?>\n\
<methodCall>\n  <methodName>sample.everything</methodName>\n  <params>\n\
    <param><value><i4>-42</i4></value></param>\n\
    <param><value><int>7</int></value></param>\n\
    <param><value><i8>-9007199254740993</i8></value></param>\n\
    <param><value><boolean>1</boolean></value></param>\n\
    <param><value><double>-1.5e3</double></value></param>\n\
    <param><value><string>h\u{e9}llo \u{4e16}\u{754c} &lt;&amp;&gt; &#x1F600; &#233;<![CDATA[<raw>]]></string></value></param>\n\
    <param><value>bare text</value></param>\n\
    <param><value/></param>\n\
    <param><value><string/></value></param>\n\
    <param><value><dateTime.iso8601>19980717T14:08:55</dateTime.iso8601></value></param>\n\
    <param><value><base64>\r\n  ZGlnbG90\r\n</base64></value></param>\n\
    <param><value><nil/></value></param>\n\
    <param><value><array><data><value><i4>1</i4></value><value>two</value></data></array></value></param>\n\
    <param><value><struct><member><name>a</name><value><i4>1</i4></value></member>\
<member><name>b\u{e9}</name><value><array><data/></array></value></member></struct></value></param>\n\
  </params>\n</methodCall>\n";

/// The fault decoding the call's parameters as `T` gives.
fn typed_fault<T: for<'a> Deserialize<'a> + std::fmt::Debug>(body: &[u8]) -> Fault {
    let mut call = MethodCall::parse(body, &Limits::default()).unwrap();
    match call.params::<T>() {
        Ok(value) => panic!("decoded {value:?} from {}", String::from_utf8_lossy(body)),
        Err(fault) => fault,
    }
}
