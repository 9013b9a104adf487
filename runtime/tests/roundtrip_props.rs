//! Property tests: values and serde types survive both codecs.
//!
//! - (a) any [`Value`] XML 1.0 can carry survives XML-RPC: `write_value` /
//!   `decode_value`, `write_response` / `decode_response`, `write_call` /
//!   `MethodCall`, in both dialects;
//! - (b) any `Value` without date-times or bytes survives JSON (diglot's
//!   writers and readers, and serde_json directly); date-times and bytes come
//!   back as the documented strings;
//! - (c) serde-derived types survive both codecs' serde paths;
//! - (d) strings XML cannot carry make the writers fail cleanly, leaving the
//!   output as it was.

use std::collections::{BTreeMap, HashMap};

use diglot::json::{self, Id, Incoming};
use diglot::xml::{self, Dialect, MethodCall};
use diglot::{Bytes, DateTime, Fault, Limits, Struct, Value};
use proptest::collection::{btree_map, hash_map, vec};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// Comparison helpers
// ---------------------------------------------------------------------------

/// Strict equality: integer width, the sign of zero and struct member order
/// all count (`Value`'s own `==` ignores the last two).
fn same(a: &Value, b: &Value) -> bool {
    same_with(a, b, true)
}

/// [`same`], optionally ignoring struct member order.
fn same_with(a: &Value, b: &Value, ordered: bool) -> bool {
    match (a, b) {
        (Value::F64(x), Value::F64(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_with(a, b, ordered))
        }
        (Value::Struct(x), Value::Struct(y)) if ordered => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((ka, va), (kb, vb))| ka == kb && same_with(va, vb, ordered))
        }
        (Value::Struct(x), Value::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, va)| y.get(k).is_some_and(|vb| same_with(va, vb, ordered)))
        }
        (Value::I32(_), Value::I64(_)) | (Value::I64(_), Value::I32(_)) => false,
        _ => a == b,
    }
}

/// What decoding yields: `I32` for every integer that fits 32 bits.
fn canonical(v: &Value) -> Value {
    match v {
        Value::I64(n) => Value::from(*n),
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        Value::Struct(members) => Value::Struct(
            members
                .iter()
                .map(|(k, v)| (k.to_owned(), canonical(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What JSON gives back: date-times as `YYYY-MM-DDTHH:MM:SS` strings, bytes
/// as padded standard base64 strings.
fn jsonified(v: &Value) -> Value {
    match v {
        Value::DateTime(dt) => Value::String(dt.to_extended_string()),
        Value::Bytes(b) => Value::String(base64(b)),
        Value::Array(items) => Value::Array(items.iter().map(jsonified).collect()),
        Value::Struct(members) => Value::Struct(
            members
                .iter()
                .map(|(k, v)| (k.to_owned(), jsonified(v)))
                .collect(),
        ),
        other => canonical(other),
    }
}

/// Standard, padded base64, written independently of diglot's encoder.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_helper_matches_the_documented_example() {
    assert_eq!(base64(b"\x00\xffdiglot"), "AP9kaWdsb3Q=");
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"d"), "ZA==");
    assert_eq!(base64(b"di"), "ZGk=");
    assert_eq!(base64(b"dig"), "ZGln");
}

macro_rules! prop_assert_same {
    ($got:expr, $want:expr, $($what:tt)*) => {{
        let (got, want) = (&$got, &$want);
        prop_assert!(
            same(got, want),
            "{}:\n  got  {:?}\n  want {:?}",
            format_args!($($what)*),
            got,
            want
        );
    }};
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Whether XML 1.0 can carry the character (Rust chars are never surrogates).
fn xml_allows(c: char) -> bool {
    !matches!(c,
        '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Characters that stress escaping and whitespace handling, mixed into
/// otherwise arbitrary text.
const TRICKY: &[char] = &[
    '\r',
    '\n',
    '\t',
    ' ',
    '<',
    '>',
    '&',
    '"',
    '\'',
    ']',
    ';',
    '#',
    'é',
    '🦀',
    '\u{85}',
    '\u{2028}',
    '\u{FFFD}',
    '\u{10FFFF}',
];

fn xml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>().prop_filter("XML 1.0 Char", |c| xml_allows(*c)),
        2 => prop::sample::select(TRICKY),
        1 => prop::char::range('a', 'z'),
    ]
}

fn xml_string() -> BoxedStrategy<String> {
    vec(xml_char(), 0..12).prop_map(String::from_iter).boxed()
}

/// JSON carries every character, controls included.
fn any_string() -> BoxedStrategy<String> {
    vec(
        prop_oneof![
            any::<char>(),
            prop::sample::select(TRICKY),
            prop::char::range('\0', '\u{1F}')
        ],
        0..12,
    )
    .prop_map(String::from_iter)
    .boxed()
}

fn finite_f64() -> impl Strategy<Value = f64> {
    use prop::num::f64::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    prop_oneof![
        (POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO),
        prop::sample::select(vec![
            0.0,
            -0.0,
            0.1,
            1e300,
            -1e-300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            1.0,
            (1u64 << 53) as f64,
        ]),
    ]
    .prop_filter("finite", |f| f.is_finite())
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Years 0 to 9999, valid days (leap days included), seconds up to 60.
fn datetime() -> impl Strategy<Value = DateTime> {
    (
        0u16..=9999,
        1u8..=12,
        1u8..=31,
        0u8..=23,
        0u8..=59,
        0u8..=60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| {
            let d = 1 + (d - 1) % days_in_month(y, mo);
            DateTime::new(y, mo, d, h, mi, s).expect("a valid date-time")
        })
}

fn bytes() -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), 0..40).prop_map(Bytes)
}

/// Scalars; `rich` adds the two types JSON lacks.
fn leaf(strings: BoxedStrategy<String>, rich: bool) -> BoxedStrategy<Value> {
    let common = prop_oneof![
        Just(Value::Nil),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::I32),
        any::<i64>().prop_map(Value::I64),
        // I64 holding a value that fits 32 bits (decodes as I32).
        any::<i32>().prop_map(|n| Value::I64(n.into())),
        finite_f64().prop_map(Value::F64),
        strings.prop_map(Value::String),
    ];
    if rich {
        prop_oneof![
            7 => common,
            1 => datetime().prop_map(Value::DateTime),
            1 => bytes().prop_map(Value::Bytes),
        ]
        .boxed()
    } else {
        common.boxed()
    }
}

/// Arrays and structs nested at most 6 deep; member names unique (a
/// `Struct` keeps one member per name).
fn tree(leaf: BoxedStrategy<Value>, names: BoxedStrategy<String>) -> BoxedStrategy<Value> {
    leaf.prop_recursive(6, 64, 8, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            vec((names.clone(), inner), 0..8)
                .prop_map(|members| Value::Struct(members.into_iter().collect::<Struct>())),
        ]
    })
    .boxed()
}

/// Any value XML 1.0 can carry.
fn xml_value() -> BoxedStrategy<Value> {
    tree(leaf(xml_string(), true), xml_string())
}

/// Any value without date-times or bytes, with any string.
fn json_value() -> BoxedStrategy<Value> {
    tree(leaf(any_string(), false), any_string())
}

// ---------------------------------------------------------------------------
// (a) XML-RPC
// ---------------------------------------------------------------------------

/// The default configuration (256 cases, `PROPTEST_CASES` honoured) without
/// regression files: a failure prints its minimal input instead.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const DIALECTS: [Dialect; 2] = [Dialect::Standard, Dialect::Apache];

proptest! {
    #![proptest_config(config())]
    #[test]
    fn xml_value_fragment_round_trips(v in xml_value()) {
        let want = canonical(&v);
        for dialect in DIALECTS {
            let mut out = Vec::new();
            xml::write_value(&mut out, &v, dialect).expect("an XML-safe value writes");
            let back: Value = xml::decode_value(&out, &Limits::default())
                .map_err(|f| TestCaseError::fail(format!("{f}\n{}", String::from_utf8_lossy(&out))))?;
            prop_assert_same!(back, want, "decode_value, {dialect:?}");
        }
    }

    #[test]
    fn xml_response_round_trips(v in xml_value()) {
        let want = canonical(&v);
        for dialect in DIALECTS {
            let mut out = Vec::new();
            xml::write_response(&mut out, &v, dialect).expect("an XML-safe value writes");
            let back = xml::decode_response::<Value>(&out, &Limits::default())
                .map_err(|f| TestCaseError::fail(format!("{f}\n{}", String::from_utf8_lossy(&out))))?;
            match back {
                Ok(back) => prop_assert_same!(back, want, "decode_response, {dialect:?}"),
                Err(fault) => prop_assert!(false, "a result read as a fault: {fault}"),
            }
        }
    }

    #[test]
    fn xml_call_round_trips(params in vec(xml_value(), 0..4), method in "[A-Za-z0-9_.:/]{1,20}") {
        let want: Vec<Value> = params.iter().map(canonical).collect();
        for dialect in DIALECTS {
            let mut out = Vec::new();
            xml::write_call(&mut out, &method, &params, dialect).expect("XML-safe params write");

            // One parameter at a time.
            let mut call = MethodCall::parse(&out, &Limits::default())?;
            prop_assert_eq!(call.method_name(), method.as_str());
            for (i, w) in want.iter().enumerate() {
                let got: Option<Value> = call.next_param()?;
                match got {
                    Some(got) => prop_assert_same!(got, *w, "param {i}, {dialect:?}"),
                    None => prop_assert!(false, "param {i} missing"),
                }
            }
            prop_assert_eq!(call.next_param::<Value>()?, None);
            call.finish()?;

            // All at once.
            let mut call = MethodCall::parse(&out, &Limits::default())?;
            let all: Vec<Value> = call.params()?;
            call.finish()?;
            prop_assert_same!(Value::Array(all), Value::Array(want.clone()), "params(), {dialect:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// (b) JSON
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]
    #[test]
    fn json_value_round_trips(v in json_value()) {
        let want = canonical(&v);

        // diglot's response writer and reader.
        let mut out = Vec::new();
        json::write_result(&mut out, &Id::from(7), &v)?;
        let (id, back) = json::decode_response::<Value>(&out, &Limits::default())?;
        prop_assert_eq!(id, Id::from(7));
        prop_assert_same!(back?, want, "json::decode_response of {}", String::from_utf8_lossy(&out));

        // serde_json directly, through text and through serde_json::Value.
        let text = serde_json::to_string(&v).expect("finite values serialize");
        let back: Value = serde_json::from_str(&text).expect("diglot's JSON reads back");
        prop_assert_same!(back, want, "serde_json text {text}");
        // serde_json::Value's map sorts its keys (no `preserve_order`), so
        // only member order may differ.
        let tree = serde_json::to_value(&v).expect("finite values serialize");
        let back: Value = serde_json::from_value(tree).expect("serde_json::Value reads back");
        prop_assert!(
            same_with(&back, &want, false),
            "serde_json::Value:\n  got  {back:?}\n  want {want:?}"
        );
    }

    #[test]
    fn json_request_round_trips(params in vec(json_value(), 0..4), method in any_string()) {
        let mut out = Vec::new();
        json::write_request(&mut out, &method, &params, Some(&Id::from("req-1")))?;
        let Incoming::Single(Ok(request)) = json::parse(&out, &Limits::default())? else {
            return Err(TestCaseError::fail("not a single valid request"));
        };
        prop_assert_eq!(request.method.as_ref(), method.as_str());
        prop_assert_eq!(request.id, Some(Id::from("req-1")));
        let back: Vec<Value> = request.params.decode()?;
        let want: Vec<Value> = params.iter().map(canonical).collect();
        prop_assert_same!(Value::Array(back), Value::Array(want), "Params::decode");
    }

    #[test]
    fn json_carries_datetimes_and_bytes_as_strings(v in xml_value()) {
        let want = jsonified(&v);
        let mut out = Vec::new();
        json::write_result(&mut out, &Id::Null, &v)?;
        let (id, back) = json::decode_response::<Value>(&out, &Limits::default())?;
        prop_assert_eq!(id, Id::Null);
        prop_assert_same!(back?, want, "json::decode_response");
        let back: Value = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
        prop_assert_same!(back, want, "serde_json");
    }
}

// ---------------------------------------------------------------------------
// (c) serde types
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Empty,
    Circle(f64),
    Rect { w: f64, h: f64 },
    Segment(i32, i32),
}

/// A unit-only enum, usable as a map key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
enum Kind {
    Alpha,
    Beta,
    Gamma,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    label: String,
    values: Vec<i64>,
    flag: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    small: u8,
    medium: u16,
    count: u32,
    big: i64,
    ratio: f32,
    letter: char,
    name: String,
    blob: Bytes,
    when: DateTime,
    nested: Vec<Vec<Inner>>,
    maybe: Option<Inner>,
    maybe_num: Option<i32>,
    by_name: HashMap<String, u16>,
    sorted: BTreeMap<String, Shape>,
    // Integer and enum keys travel as member-name text.
    by_id: BTreeMap<i64, bool>,
    by_small: HashMap<u8, String>,
    by_kind: BTreeMap<Kind, u32>,
    pair: (i32, String, f64),
    shapes: Vec<Shape>,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Empty),
        finite_f64().prop_map(Shape::Circle),
        (finite_f64(), finite_f64()).prop_map(|(w, h)| Shape::Rect { w, h }),
        (any::<i32>(), any::<i32>()).prop_map(|(a, b)| Shape::Segment(a, b)),
    ]
}

fn inner() -> impl Strategy<Value = Inner> {
    (xml_string(), vec(any::<i64>(), 0..4), any::<Option<bool>>()).prop_map(
        |(label, values, flag)| Inner {
            label,
            values,
            flag,
        },
    )
}

fn finite_f32() -> impl Strategy<Value = f32> {
    any::<f32>().prop_filter("finite", |f| f.is_finite())
}

fn record() -> impl Strategy<Value = Record> {
    let scalars = (
        any::<u8>(),
        any::<u16>(),
        any::<u32>(),
        any::<i64>(),
        finite_f32(),
        xml_char(),
        xml_string(),
        bytes(),
        datetime(),
    );
    let compound = (
        vec(vec(inner(), 0..3), 0..3),
        proptest::option::of(inner()),
        any::<Option<i32>>(),
        hash_map(xml_string(), any::<u16>(), 0..4),
        btree_map(xml_string(), shape(), 0..4),
        btree_map(any::<i64>(), any::<bool>(), 0..4),
        hash_map(any::<u8>(), xml_string(), 0..4),
        btree_map(
            prop::sample::select(vec![Kind::Alpha, Kind::Beta, Kind::Gamma]),
            any::<u32>(),
            0..3,
        ),
        (any::<i32>(), xml_string(), finite_f64()),
        vec(shape(), 0..4),
    );
    (scalars, compound).prop_map(
        |(
            (small, medium, count, big, ratio, letter, name, blob, when),
            (nested, maybe, maybe_num, by_name, sorted, by_id, by_small, by_kind, pair, shapes),
        )| Record {
            small,
            medium,
            count,
            big,
            ratio,
            letter,
            name,
            blob,
            when,
            nested,
            maybe,
            maybe_num,
            by_name,
            sorted,
            by_id,
            by_small,
            by_kind,
            pair,
            shapes,
        },
    )
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn serde_types_round_trip_through_xml(
        rec in record(),
        sh in shape(),
        text in proptest::option::of(xml_string()),
    ) {
        for dialect in DIALECTS {
            // As call parameters, read one at a time.
            let mut out = Vec::new();
            let none: Option<i32> = None;
            xml::write_call(&mut out, "typed", &(&rec, &sh, none, &text), dialect)?;
            let mut call = MethodCall::parse(&out, &Limits::default())?;
            prop_assert_eq!(call.next_param::<Record>()?, Some(rec.clone()));
            prop_assert_eq!(call.next_param::<Shape>()?, Some(sh.clone()));
            prop_assert_eq!(call.next_param::<Option<i32>>()?, Some(None));
            prop_assert_eq!(call.next_param::<Option<String>>()?, Some(text.clone()));
            prop_assert_eq!(call.next_param::<Value>()?, None);
            call.finish()?;

            // As all parameters at once, into a tuple.
            let mut call = MethodCall::parse(&out, &Limits::default())?;
            let all: (Record, Shape, Option<i32>, Option<String>) = call.params()?;
            call.finish()?;
            prop_assert_eq!(all, (rec.clone(), sh.clone(), None, text.clone()));

            // As a result.
            let mut out = Vec::new();
            xml::write_response(&mut out, &rec, dialect)?;
            prop_assert_eq!(xml::decode_response::<Record>(&out, &Limits::default())?, Ok(rec.clone()));
        }
    }

    #[test]
    fn serde_types_round_trip_through_json(
        rec in record(),
        sh in shape(),
        text in proptest::option::of(any_string()),
    ) {
        // Positional parameters.
        let mut out = Vec::new();
        let none: Option<i32> = None;
        json::write_request(&mut out, "typed", &(&rec, &sh, none, &text), Some(&Id::from(1)))?;
        let Incoming::Single(Ok(request)) = json::parse(&out, &Limits::default())? else {
            return Err(TestCaseError::fail("not a single valid request"));
        };
        let all: (Record, Shape, Option<i32>, Option<String>) = request.params.decode()?;
        prop_assert_eq!(all, (rec.clone(), sh.clone(), None, text.clone()));

        // Named parameters: the struct is the params object.
        let mut out = Vec::new();
        json::write_request(&mut out, "typed", &rec, None)?;
        let Incoming::Single(Ok(request)) = json::parse(&out, &Limits::default())? else {
            return Err(TestCaseError::fail("not a single valid notification"));
        };
        prop_assert!(request.is_notification() && request.params.is_by_name());
        prop_assert_eq!(request.params.decode::<Record>()?, rec.clone());

        // As a result.
        let mut out = Vec::new();
        json::write_result(&mut out, &Id::from(2), &rec)?;
        let (id, back) = json::decode_response::<Record>(&out, &Limits::default())?;
        prop_assert_eq!(id, Id::from(2));
        prop_assert_eq!(back, Ok(rec));
    }
}

// ---------------------------------------------------------------------------
// (d) strings XML cannot carry
// ---------------------------------------------------------------------------

fn forbidden_char() -> impl Strategy<Value = char> {
    prop_oneof![
        (0u8..=0x1F)
            .prop_filter("not tab, LF or CR", |b| !matches!(b, b'\t' | b'\n' | b'\r'))
            .prop_map(char::from),
        Just('\u{FFFE}'),
        Just('\u{FFFF}'),
    ]
}

/// An otherwise XML-safe string with at least one forbidden character.
fn bad_string() -> impl Strategy<Value = String> {
    (
        xml_string(),
        forbidden_char(),
        xml_string(),
        proptest::option::of(forbidden_char()),
    )
        .prop_map(|(a, bad, b, more)| {
            format!("{a}{bad}{b}{}", more.map(String::from).unwrap_or_default())
        })
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn xml_writers_refuse_what_xml_cannot_carry(bad in bad_string(), good in xml_value()) {
        let as_value = Value::String(bad.clone());
        let as_name = Value::Struct(Struct::from_iter([(bad.clone(), Value::I32(1))]));
        let buried = Value::Array(vec![
            good.clone(),
            Value::Struct(Struct::from_iter([("ok", Value::Array(vec![as_value.clone()]))])),
        ]);
        for dialect in DIALECTS {
            for v in [&as_value, &as_name, &buried] {
                let mut out = b"kept".to_vec();
                let r = xml::write_value(&mut out, v, dialect);
                prop_assert!(r.is_err(), "write_value accepted {v:?}");
                prop_assert_eq!(&out, b"kept", "write_value left output behind");

                let r = xml::write_response(&mut out, v, dialect);
                prop_assert!(r.is_err(), "write_response accepted {v:?}");
                prop_assert_eq!(&out, b"kept");

                let r = xml::write_call(&mut out, "m", &(&good, v), dialect);
                prop_assert!(r.is_err(), "write_call accepted {v:?}");
                prop_assert_eq!(&out, b"kept");
            }
            // The serde path: a String, a map key, a method name.
            let mut out = Vec::new();
            prop_assert!(xml::write_value(&mut out, &bad, dialect).is_err());
            let map = BTreeMap::from([(bad.clone(), 1)]);
            prop_assert!(xml::write_value(&mut out, &map, dialect).is_err());
            prop_assert!(xml::write_call(&mut out, &bad, &(1,), dialect).is_err());
            prop_assert!(out.is_empty());

            // A fault is never lost: its message is cleaned instead.
            xml::write_fault(&mut out, &Fault::new(-5, bad.clone()), dialect);
            let fault = xml::decode_response::<Value>(&out, &Limits::default())?
                .expect_err("a fault document");
            prop_assert_eq!(fault.code, -5);
            prop_assert!(fault.message.chars().all(xml_allows), "{:?}", fault.message);
            let kept: Vec<char> = bad.chars().filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}')).collect();
            let got: Vec<char> = fault.message.chars().collect();
            prop_assert_eq!(got.len(), kept.len(), "{:?} from {:?}", fault.message, bad);
            for (g, k) in got.iter().zip(&kept) {
                prop_assert!(g == k || *g == '\u{FFFD}', "{:?} from {:?}", fault.message, bad);
            }
        }

        // JSON carries the same text unchanged.
        let mut out = Vec::new();
        json::write_result(&mut out, &Id::from(1), &as_name)?;
        let (_, back) = json::decode_response::<Value>(&out, &Limits::default())?;
        prop_assert_same!(back?, as_name, "JSON carries controls");
    }
}

#[test]
fn xml_writers_refuse_non_finite_doubles() {
    for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for dialect in DIALECTS {
            let mut out = b"kept".to_vec();
            assert!(xml::write_value(&mut out, &Value::F64(f), dialect).is_err());
            assert!(xml::write_response(&mut out, &vec![Value::F64(f)], dialect).is_err());
            assert!(xml::write_call(&mut out, "m", &(1, f), dialect).is_err());
            assert_eq!(out, b"kept");
        }
    }
}
