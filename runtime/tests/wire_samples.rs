//! Requests captured from real XML-RPC and JSON-RPC clients
//! (`runtime/tests/wire-samples/`): diglot must read every one of them and get
//! exactly the values the client meant, as XML 1.0 reads them.
//!
//! There is one test per body file. Each decodes the request through typed
//! serde targets and as [`Value`], checks every value, and finishes the call.
//! The expected values were worked out independently of diglot (base64 bytes
//! with Python's `base64` module, the rest by reading the bytes with `od -c`).

use std::borrow::Cow;
use std::collections::BTreeSet;

use diglot::json::{self, Id, Incoming, Request};
use diglot::xml::MethodCall;
use diglot::{Bytes, DateTime, Limits, Value};
use serde::Deserialize;

/// Where the samples live, in the repository.
const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/wire-samples/");

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{SAMPLES}{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read wire sample {path}: {e}"))
}

/// Every file of the sample directory, with the test that covers it; a new
/// sample without a test makes `every_sample_file_has_a_test` fail.
const COVERED: &[&str] = &[
    "README.md",
    "c-libxmlrpc.headers.txt",
    "c-libxmlrpc.strings.xml",
    "c-libxmlrpc.xml",
    "c-xmlrpc-cli.headers.txt",
    "c-xmlrpc-cli.xml",
    "java-axmlrpc.headers.txt",
    "java-axmlrpc.strings.xml",
    "java-axmlrpc.xml",
    "php-xmlrpc.headers.txt",
    "php-xmlrpc.latin1.xml",
    "php-xmlrpc.strings.xml",
    "php-xmlrpc.xml",
    "pl-rpcxml.headers.txt",
    "pl-rpcxml.strings.xml",
    "pl-rpcxml.xml",
    "pl-xmlrpclite.headers.txt",
    "pl-xmlrpclite.strings.xml",
    "pl-xmlrpclite.xml",
    "py-jsonrpclib.batch.json",
    "py-jsonrpclib.headers.txt",
    "py-jsonrpclib.json",
    "py-xmlrpc.headers.txt",
    "py-xmlrpc.strings.xml",
    "py-xmlrpc.xml",
    "rb-xmlrpc.headers.txt",
    "rb-xmlrpc.strings.xml",
    "rb-xmlrpc.xml",
];

#[test]
fn every_sample_file_has_a_test() {
    let dir = std::fs::read_dir(SAMPLES).unwrap_or_else(|e| panic!("cannot list {SAMPLES}: {e}"));
    let found: BTreeSet<String> = dir
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    let covered: BTreeSet<String> = COVERED.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(found, covered, "sample files and tests differ");
}

// ---------------------------------------------------------------------------
// validator1.manyTypesTest: int, boolean, string, double, dateTime, base64.
// ---------------------------------------------------------------------------

/// What a client meant to send in its `manyTypesTest` call.
struct ManyTypes {
    int: i32,
    boolean: bool,
    string: &'static str,
    double: f64,
    datetime: (u16, u8, u8, u8, u8, u8),
    base64: &'static [u8],
}

impl ManyTypes {
    fn datetime(&self) -> DateTime {
        let (y, mo, d, h, mi, s) = self.datetime;
        DateTime::new(y, mo, d, h, mi, s).unwrap()
    }
}

/// The six parameters as a struct read from the parameter sequence.
#[derive(Debug, Deserialize)]
struct ManyTypesParams {
    number: i32,
    flag: bool,
    text: String,
    real: f64,
    when: DateTime,
    data: Bytes,
}

const MANY_TYPES: &str = "validator1.manyTypesTest";

fn check_many_types(file: &str, want: &ManyTypes) {
    let body = sample(file);
    let limits = Limits::default();

    // A tuple of the parameters.
    let mut call = MethodCall::parse(&body, &limits).unwrap();
    assert_eq!(call.method_name(), MANY_TYPES);
    let (int, boolean, string, double, datetime, bytes): (i32, bool, String, f64, DateTime, Bytes) =
        call.params().unwrap();
    call.finish().unwrap();
    assert_eq!(int, want.int, "{file}: int");
    assert_eq!(boolean, want.boolean, "{file}: boolean");
    assert_eq!(string, want.string, "{file}: string");
    assert_eq!(double, want.double, "{file}: double");
    assert_eq!(datetime, want.datetime(), "{file}: dateTime");
    assert_eq!(bytes.as_slice(), want.base64, "{file}: base64");

    // A struct whose fields are the parameters in order.
    let mut call = MethodCall::parse(&body, &limits).unwrap();
    let params: ManyTypesParams = call.params().unwrap();
    call.finish().unwrap();
    assert_eq!(params.number, want.int, "{file}");
    assert_eq!(params.flag, want.boolean, "{file}");
    assert_eq!(params.text, want.string, "{file}");
    assert_eq!(params.real, want.double, "{file}");
    assert_eq!(params.when, want.datetime(), "{file}");
    assert_eq!(params.data.as_slice(), want.base64, "{file}");

    // One parameter at a time, then nothing more.
    let mut call = MethodCall::parse(&body, &limits).unwrap();
    assert_eq!(call.next_param::<i32>().unwrap(), Some(want.int));
    assert_eq!(call.next_param::<bool>().unwrap(), Some(want.boolean));
    assert_eq!(
        call.next_param::<String>().unwrap().as_deref(),
        Some(want.string)
    );
    assert_eq!(call.next_param::<f64>().unwrap(), Some(want.double));
    assert_eq!(
        call.next_param::<DateTime>().unwrap(),
        Some(want.datetime())
    );
    assert_eq!(
        call.next_param::<Bytes>().unwrap().unwrap().as_slice(),
        want.base64
    );
    assert_eq!(call.next_param::<Value>().unwrap(), None);
    call.finish().unwrap();

    // As dynamic values, each with its wire type.
    let mut call = MethodCall::parse(&body, &limits).unwrap();
    assert_eq!(call.method_name(), MANY_TYPES);
    let values: Vec<Value> = call.params().unwrap();
    call.finish().unwrap();
    assert_eq!(values.len(), 6, "{file}");
    assert!(
        matches!(values[0], Value::I32(n) if n == want.int),
        "{file}: {:?}",
        values[0]
    );
    assert!(
        matches!(values[1], Value::Bool(b) if b == want.boolean),
        "{file}: {:?}",
        values[1]
    );
    assert!(
        matches!(&values[2], Value::String(s) if s == want.string),
        "{file}: {:?}",
        values[2]
    );
    assert!(
        matches!(values[3], Value::F64(f) if f == want.double),
        "{file}: {:?}",
        values[3]
    );
    assert_eq!(values[4], Value::DateTime(want.datetime()), "{file}");
    assert_eq!(values[5], Value::Bytes(Bytes::from(want.base64)), "{file}");
}

#[test]
fn c_libxmlrpc_many_types() {
    // CRLF line ends throughout, `<i4>`, base64 on its own CRLF-ended line.
    check_many_types(
        "c-libxmlrpc.xml",
        &ManyTypes {
            int: -1078295781,
            boolean: true,
            string: "Xc<Y> Y\"Y> X_>.a\"é",
            double: -472243.586,
            datetime: (1996, 12, 28, 2, 31, 11),
            base64: &[
                0x0f, 0x30, 0xf9, 0xc6, 0xeb, 0x90, 0x54, 0x47, 0x8b, 0x6d, 0x35, 0x7c, 0xf0, 0xa0,
                0x33, 0x62, 0x36, 0x4a, 0xde, 0x29, 0x7c, 0x8a, 0x8e, 0x03, 0x55, 0x5e, 0x6c, 0x3a,
                0x3a, 0xfb, 0x07, 0x4b, 0xec, 0x00, 0xab, 0xcf, 0xce, 0x02, 0x35, 0xb9, 0xcc, 0xaa,
                0xf2, 0x10,
            ],
        },
    );
}

#[test]
fn java_axmlrpc_many_types() {
    // Blank lines between elements, a raw `>` in text, a dateTime without colons.
    check_many_types(
        "java-axmlrpc.xml",
        &ManyTypes {
            int: -1396326586,
            boolean: true,
            string: "<YZZ9>0世 c>Xc<&a&",
            double: -284428.063,
            datetime: (2028, 7, 19, 13, 43, 20),
            base64: &[
                0xfb, 0x08, 0x7b, 0xa5, 0x37, 0xb4, 0x8e, 0x3b, 0x17, 0xa7, 0xb4, 0x67, 0x7f, 0x82,
                0xdb, 0xa6, 0xa1, 0xaf, 0x48, 0x38, 0x79, 0xd4, 0x5f, 0x2a, 0x5d, 0x14, 0x39, 0xef,
                0x97, 0x22, 0x30, 0x24,
            ],
        },
    );
}

#[test]
fn php_xmlrpc_many_types() {
    // Decimal character references, trailing zeros on the double, a newline
    // before `</base64>`.
    check_many_types(
        "php-xmlrpc.xml",
        &ManyTypes {
            int: -1442293038,
            boolean: false,
            string: "\"ca\"XYaYac0YZ.XX'ZX&",
            double: -754815.816,
            datetime: (2015, 5, 17, 5, 13, 27),
            base64: &[
                0x29, 0x84, 0xdc, 0x58, 0xde, 0x8c, 0x19, 0x3a, 0xf7, 0xd2, 0xbd, 0x94, 0x08, 0xba,
                0x7c,
            ],
        },
    );
}

/// The bytes both Perl clients sent.
const PERL_BASE64: &[u8] = &[
    0x09, 0x25, 0x33, 0xd8, 0x2d, 0xa9, 0x52, 0x0a, 0xe2, 0xb4, 0x3a, 0x30, 0x93, 0x7f, 0x4c, 0x52,
];

#[test]
fn pl_rpcxml_many_types() {
    // `&quot;`, and a double written with 26 significant digits
    // (391869.21199999999953433871) that is the nearest f64 to 391869.212.
    check_many_types(
        "pl-rpcxml.xml",
        &ManyTypes {
            int: 1828301897,
            boolean: false,
            string: "-1\"Yc",
            double: 391869.212,
            datetime: (1970, 3, 10, 20, 43, 16),
            base64: PERL_BASE64,
        },
    );
}

#[test]
fn pl_xmlrpclite_many_types() {
    check_many_types(
        "pl-xmlrpclite.xml",
        &ManyTypes {
            int: 1828301897,
            boolean: false,
            string: "-1\"Yc",
            double: 391869.212,
            datetime: (1970, 3, 10, 20, 43, 16),
            base64: PERL_BASE64,
        },
    );
}

#[test]
fn py_xmlrpc_many_types() {
    // Single-quoted XML declaration, base64 between newlines.
    check_many_types(
        "py-xmlrpc.xml",
        &ManyTypes {
            int: -436938151,
            boolean: false,
            string: "XY'\"&__ac",
            double: 354401.265,
            datetime: (2008, 7, 1, 18, 20, 42),
            base64: &[
                0x8f, 0x80, 0x85, 0xc2, 0xf4, 0xfa, 0x4b, 0xac, 0x9c, 0x78, 0xef, 0x2b, 0xeb, 0xb4,
                0x5a, 0xb4, 0xea, 0xdc, 0x85, 0x5a, 0xe9, 0xd6, 0xb0, 0xbc, 0xf2, 0xd7, 0xe3, 0x8e,
                0x16,
            ],
        },
    );
}

#[test]
fn rb_xmlrpc_many_types() {
    // `<?xml version="1.0" ?>` (space before `?>`), `<i4>`, base64 ending in a newline.
    check_many_types(
        "rb-xmlrpc.xml",
        &ManyTypes {
            int: 248546675,
            boolean: false,
            string: "9YX",
            double: -707670.257,
            datetime: (2032, 1, 1, 4, 29, 44),
            base64: &[0x76, 0x5f, 0xb2, 0xcd, 0x47, 0xfb, 0x7c, 0xe9, 0x63],
        },
    );
}

#[test]
fn c_xmlrpc_cli_count_the_entities() {
    let body = sample("c-xmlrpc-cli.xml");
    let want = ">&&'''\"\"\"\"";

    let mut call = MethodCall::parse(&body, &Limits::default()).unwrap();
    assert_eq!(call.method_name(), "validator1.countTheEntities");
    let (text,): (String,) = call.params().unwrap();
    call.finish().unwrap();
    assert_eq!(text, want);
    // What the validator method computes from it.
    assert_eq!(text.matches('&').count(), 2);
    assert_eq!(text.matches('\'').count(), 3);
    assert_eq!(text.matches('"').count(), 4);
    assert_eq!(text.matches('<').count(), 0);
    assert_eq!(text.matches('>').count(), 1);

    let mut call = MethodCall::parse(&body, &Limits::default()).unwrap();
    let values: Vec<Value> = call.params().unwrap();
    call.finish().unwrap();
    assert_eq!(values, vec![Value::from(want)]);
}

// ---------------------------------------------------------------------------
// validator1.echoStructTest: one struct of awkward strings.
// ---------------------------------------------------------------------------

/// Every member the test clients were given, and what each one means.
/// A client that writes a carriage return raw sends a line end, which XML
/// reads as LF (§2.11): see [`LineEnds`].
const MEMBERS: &[(&str, &str)] = &[
    ("nonascii", "héllo 世界"),
    ("emoji", "smile 😀"),
    ("crlf", "line1\r\nline2\r\n"),
    ("cr", "a\rb"),
    ("numeric", "12345"),
    ("zeropad", "007"),
    ("floaty", "1.50"),
    ("spaces", "  padded  "),
    ("tabnl", "a\tb\n"),
    ("empty", ""),
    ("entities", "<&>'\""),
];

/// The struct as a Rust type; a member the client did not send is refused
/// unless it is the optional one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Awkward {
    nonascii: String,
    emoji: Option<String>,
    crlf: String,
    cr: String,
    numeric: String,
    zeropad: String,
    floaty: String,
    spaces: String,
    tabnl: String,
    empty: String,
    entities: String,
}

impl Awkward {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "nonascii" => &self.nonascii,
            "emoji" => return self.emoji.as_deref(),
            "crlf" => &self.crlf,
            "cr" => &self.cr,
            "numeric" => &self.numeric,
            "zeropad" => &self.zeropad,
            "floaty" => &self.floaty,
            "spaces" => &self.spaces,
            "tabnl" => &self.tabnl,
            "empty" => &self.empty,
            "entities" => &self.entities,
            _ => return None,
        })
    }
}

/// How a client writes a carriage return inside a string.
#[derive(Clone, Copy)]
enum LineEnds {
    /// As a character reference (`&#13;`, `&#xd;`), which survives.
    Escaped,
    /// As a raw CR byte, which XML reads as a line end: CRLF and a lone CR
    /// both become LF, as every XML-RPC server built on an XML parser reads
    /// them.
    Raw,
}

/// Checks an `echoStructTest` call whose struct holds the members `order`,
/// in that order.
fn check_echo_struct(file: &str, order: &[&str], line_ends: LineEnds) {
    let body = sample(file);
    let limits = Limits::default();
    let meant = |name: &str| {
        let text = MEMBERS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap();
        match line_ends {
            LineEnds::Escaped => text.to_owned(),
            LineEnds::Raw => text.replace("\r\n", "\n").replace('\r', "\n"),
        }
    };

    // Typed: a struct with a field per member.
    let mut call = MethodCall::parse(&body, &limits).unwrap();
    assert_eq!(call.method_name(), "validator1.echoStructTest");
    let (awkward,): (Awkward,) = call.params().unwrap();
    call.finish().unwrap();
    for (name, _) in MEMBERS {
        let expected = order.contains(name).then(|| meant(name));
        assert_eq!(
            awkward.get(name),
            expected.as_deref(),
            "{file}: member {name}"
        );
    }

    // Dynamic: a Value struct, member order as sent.
    let mut call = MethodCall::parse(&body, &limits).unwrap();
    let values: Vec<Value> = call.params().unwrap();
    call.finish().unwrap();
    assert_eq!(values.len(), 1, "{file}");
    let members = values[0].as_struct().expect("a struct");
    let names: Vec<&str> = members.iter().map(|(name, _)| name).collect();
    assert_eq!(names, order, "{file}: member order");
    for (name, value) in members.iter() {
        assert_eq!(value, &Value::String(meant(name)), "{file}: member {name}");
    }

    // One parameter at a time.
    let mut call = MethodCall::parse(&body, &limits).unwrap();
    let first: Value = call.next_param().unwrap().unwrap();
    assert_eq!(first, values[0]);
    assert!(call.next_param::<Value>().unwrap().is_none());
    call.finish().unwrap();
}

/// Every member, in the order of [`MEMBERS`].
fn all_members() -> Vec<&'static str> {
    MEMBERS.iter().map(|(name, _)| *name).collect()
}

#[test]
fn c_libxmlrpc_echo_struct() {
    // CRLF line ends between elements; each CR of the crlf member written as
    // `&#x0d;` followed by a raw LF. xmlrpc-c's capture holds no `emoji`
    // member, so the struct must read without it.
    let order: Vec<&str> = all_members()
        .into_iter()
        .filter(|name| *name != "emoji")
        .collect();
    check_echo_struct("c-libxmlrpc.strings.xml", &order, LineEnds::Escaped);
}

#[test]
fn java_axmlrpc_echo_struct() {
    // Raw CR LF inside the string, `<string/>`, an unescaped `>`.
    check_echo_struct("java-axmlrpc.strings.xml", &all_members(), LineEnds::Raw);
}

#[test]
fn php_xmlrpc_echo_struct() {
    // Raw CR inside strings, decimal references `&#60;&#38;&#62;&#34;`, `<string/>`.
    check_echo_struct("php-xmlrpc.strings.xml", &all_members(), LineEnds::Raw);
}

#[test]
fn pl_rpcxml_echo_struct() {
    // Perl hash order, `&apos;` and `&quot;`, `&#xd;`.
    check_echo_struct(
        "pl-rpcxml.strings.xml",
        &[
            "tabnl", "zeropad", "entities", "crlf", "nonascii", "empty", "emoji", "cr", "numeric",
            "floaty", "spaces",
        ],
        LineEnds::Escaped,
    );
}

#[test]
fn pl_xmlrpclite_echo_struct() {
    // Perl hash order, `<string />` with a space.
    check_echo_struct(
        "pl-xmlrpclite.strings.xml",
        &[
            "crlf", "emoji", "zeropad", "spaces", "numeric", "tabnl", "floaty", "empty",
            "entities", "nonascii", "cr",
        ],
        LineEnds::Escaped,
    );
}

#[test]
fn py_xmlrpc_echo_struct() {
    // Raw CR LF and raw CR: Python's client does not escape carriage returns.
    check_echo_struct("py-xmlrpc.strings.xml", &all_members(), LineEnds::Raw);
}

#[test]
fn rb_xmlrpc_echo_struct() {
    // Raw CR LF and raw CR, like Python.
    check_echo_struct("rb-xmlrpc.strings.xml", &all_members(), LineEnds::Raw);
}

#[test]
fn php_xmlrpc_latin1_bytes() {
    // Raw ISO-8859-1 bytes (é ï £ ½) under an `iso-8859-1` declaration.
    let body = sample("php-xmlrpc.latin1.xml");
    assert!(body.contains(&0xE9), "the sample holds a raw Latin-1 é");
    let mut call = MethodCall::parse(&body, &Limits::default()).unwrap();
    assert_eq!(call.method_name(), "validator1.echo");
    let (text,): (String,) = call.params().unwrap();
    call.finish().unwrap();
    assert_eq!(text, "caf\u{e9} na\u{ef}ve \u{a3} \u{bd}");
}

// ---------------------------------------------------------------------------
// JSON-RPC: jsonrpclib-pelix.
// ---------------------------------------------------------------------------

fn string_id(text: &str) -> Id<'_> {
    Id::String(Cow::Borrowed(text))
}

/// A request's method, positional parameters and id.
type Expected<'a> = (&'a str, Option<[i64; 2]>, Option<&'a str>);

/// Checks a request's method, positional parameters and id.
fn check_request(request: &Request<'_>, method: &str, params: Option<[i64; 2]>, id: Option<&str>) {
    assert_eq!(request.method, method);
    assert_eq!(request.id, id.map(string_id), "{method}");
    assert_eq!(request.is_notification(), id.is_none());
    match params {
        Some([a, b]) => {
            assert!(!request.params.is_absent() && !request.params.is_by_name());
            assert_eq!(request.params.decode::<(i64, i64)>().unwrap(), (a, b));
            assert_eq!(
                request.params.decode::<Vec<Value>>().unwrap(),
                vec![Value::from(a), Value::from(b)]
            );
        }
        None => {
            assert!(request.params.is_absent(), "{method}");
            assert_eq!(request.params.decode::<Vec<Value>>().unwrap(), vec![]);
        }
    }
}

#[test]
fn py_jsonrpclib_single() {
    let body = sample("py-jsonrpclib.json");
    let Incoming::Single(Ok(request)) = json::parse(&body, &Limits::default()).unwrap() else {
        panic!("a single valid request")
    };
    check_request(
        &request,
        "subtract",
        Some([528992227, -962606408]),
        Some("36d14f48-6635-4193-a7ae-f0e5d70e4f70"),
    );
    assert_eq!(
        request.params.decode::<(i32, i32)>().unwrap(),
        (528992227, -962606408)
    );
    // The id goes back exactly as sent.
    let mut out = Vec::new();
    json::write_result(&mut out, request.id.as_ref().unwrap(), &1491598635_i64).unwrap();
    let response: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        response,
        serde_json::json!({
            "jsonrpc": "2.0",
            "result": 1491598635_i64,
            "id": "36d14f48-6635-4193-a7ae-f0e5d70e4f70",
        })
    );
}

#[test]
fn py_jsonrpclib_batch() {
    let body = sample("py-jsonrpclib.batch.json");
    let Incoming::Batch(entries) = json::parse(&body, &Limits::default()).unwrap() else {
        panic!("a batch")
    };
    let want: [Expected<'_>; 7] = [
        (
            "subtract",
            Some([284, -346]),
            Some("efa92fa4-44be-4555-9ca5-d02d03c396ec"),
        ),
        (
            "get_data",
            None,
            Some("e66ccd25-67b9-4c00-99fc-264d83393525"),
        ),
        (
            "subtract",
            Some([98, -364]),
            Some("411048cc-dc27-412b-8c0c-eea2f4c9244b"),
        ),
        (
            "subtract",
            Some([788, 71]),
            Some("f74a2bfb-83e5-4852-8711-d922a93180e6"),
        ),
        (
            "subtract",
            Some([597, 160]),
            Some("e7ef31cc-cce2-4cf1-b9bc-573be7451496"),
        ),
        (
            "get_data",
            None,
            Some("5d503c30-71d9-4ac3-a9b3-ec0b87d5f5a5"),
        ),
        ("notify_hello", None, None),
    ];
    assert_eq!(entries.len(), want.len());
    for (entry, (method, params, id)) in entries.iter().zip(want) {
        let request = entry.as_ref().unwrap();
        if method == "notify_hello" {
            // The notification: `[7]` and no id at all.
            assert_eq!(request.method, "notify_hello");
            assert!(request.is_notification());
            assert_eq!(request.id, None);
            assert_eq!(request.params.decode::<(i32,)>().unwrap(), (7,));
            assert_eq!(request.params.json(), Some("[7]"));
        } else {
            check_request(request, method, params, id);
        }
    }
    let notifications = entries
        .iter()
        .filter(|e| e.as_ref().unwrap().is_notification())
        .count();
    assert_eq!(notifications, 1);
}

// ---------------------------------------------------------------------------
// Request headers.
// ---------------------------------------------------------------------------

/// Media types diglot's transports accept for each protocol.
const XML_TYPES: &[&str] = &["text/xml", "application/xml"];
const JSON_TYPES: &[&str] = &[
    "application/json",
    "application/json-rpc",
    "application/jsonrequest",
];

#[test]
fn headers_name_a_content_type_diglot_accepts() {
    let mut checked = 0;
    for name in COVERED.iter().filter(|n| n.ends_with(".headers.txt")) {
        let text = String::from_utf8(sample(name)).unwrap();
        let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
        let request_line = lines.next().unwrap();
        assert!(
            request_line.starts_with("POST /") && request_line.ends_with(" HTTP/1.1"),
            "{name}: {request_line}"
        );
        let content_types: Vec<&str> = lines
            .filter_map(|line| line.split_once(':'))
            .filter(|(field, _)| field.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.trim())
            .collect();
        assert_eq!(content_types.len(), 1, "{name}: one Content-Type");
        let mut parts = content_types[0].split(';');
        let media = parts.next().unwrap().trim().to_ascii_lowercase();
        for parameter in parts {
            let (key, value) = parameter.split_once('=').unwrap();
            if key.trim().eq_ignore_ascii_case("charset") {
                assert!(value.trim().eq_ignore_ascii_case("utf-8"), "{name}");
            }
        }
        let prefix = name.trim_end_matches(".headers.txt");
        let accepted = if prefix.contains("json") {
            assert!(COVERED.contains(&format!("{prefix}.json").as_str()));
            JSON_TYPES
        } else {
            assert!(COVERED.contains(&format!("{prefix}.xml").as_str()));
            XML_TYPES
        };
        assert!(
            accepted.contains(&media.as_str()),
            "{name}: Content-Type {media} is not one diglot accepts"
        );
        checked += 1;
    }
    assert_eq!(checked, 9);
}
