//! The request reader judges syntax exactly as serde_json does: whatever a
//! body's damage, it is a parse error (-32700) if and only if serde_json
//! refuses the text, and a body serde_json accepts is never a parse error.

use proptest::prelude::*;

use super::*;

/// Requests as clients write them, and the shapes a request reader must
/// walk: batches, named and positional params, escapes, every kind of
/// number and literal, deep but legal nesting.
const BODIES: &[&str] = &[
    r#"{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}"#,
    r#"[{"jsonrpc":"2.0","method":"a","params":{"x":-1.5e-3,"y":[true,false,null]},"id":"k"},{"jsonrpc":"2.0","method":"n"}]"#,
    "{ \"id\" : null ,\n\t\"method\":\"m\\u00e9\\n\", \"jsonrpc\":\"2.0\", \"params\":{\"a\\\"b\":[[[{}]]],\"c\":\"Zo\u{eb} \\/ \\\\\"} }\r\n",
    r#"{"jsonrpc":"2.0","method":"echo","params":[{"s":"0123456789abcdefghij\"klmnopqrstuvwxyz","e":0,"f":10E+2}],"id":123456789012345678901234567890}"#,
    r#"[1,"x",{"jsonrpc":"2.0","method":"m","id":-0}]"#,
];

/// What can damage a body: a byte replaced, taken out, or put in.
#[derive(Debug, Clone)]
enum Damage {
    Replace(usize, u8),
    Remove(usize),
    Insert(usize, u8),
    Truncate(usize),
}

/// Bytes that matter to a JSON reader, and a few that never may appear.
fn byte() -> impl Strategy<Value = u8> {
    prop::sample::select(b"{}[],:\"\\ \t\n0123456789-+.eEtrufalsn/bu\x01\x1fAZ".to_vec())
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), byte()).prop_map(|(at, b)| Damage::Replace(at, b)),
        any::<usize>().prop_map(Damage::Remove),
        (any::<usize>(), byte()).prop_map(|(at, b)| Damage::Insert(at, b)),
        any::<usize>().prop_map(Damage::Truncate),
    ]
}

fn apply(body: &str, damages: &[Damage]) -> Vec<u8> {
    let mut bytes = body.as_bytes().to_vec();
    for damage in damages {
        let len = bytes.len().max(1);
        match *damage {
            Damage::Replace(at, b) if !bytes.is_empty() => bytes[at % len] = b,
            Damage::Remove(at) if !bytes.is_empty() => {
                bytes.remove(at % len);
            }
            Damage::Insert(at, b) => bytes.insert(at % (bytes.len() + 1), b),
            Damage::Truncate(at) => bytes.truncate(at % len),
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn a_parse_error_exactly_when_serde_json_refuses_the_text(
        body in prop::sample::select(BODIES),
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let bytes = apply(body, &damages);
        // Not UTF-8 is a parse error of its own, tested elsewhere.
        prop_assume!(std::str::from_utf8(&bytes).is_ok());
        let serde_accepts = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok();
        let parse_error = matches!(
            json::parse(&bytes, &Limits::default()),
            Err(fault) if fault.code == PARSE
        );
        prop_assert_eq!(
            parse_error,
            !serde_accepts,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn undamaged_bodies_are_read() {
    for body in BODIES {
        assert!(
            json::parse(body.as_bytes(), &Limits::default()).is_ok(),
            "{body}"
        );
    }
}
