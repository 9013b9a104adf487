//! Values on the command line: arguments read from words, typed by a
//! method's signature when the server gives one, and results written as
//! JSON with XML-RPC's dateTime and base64 marked.
//!
//! A dateTime is `{"$dateTime": "2026-12-04T10:00:00"}` and base64 data
//! `{"$base64": "aGk="}`, both ways: results are printed so, and arguments
//! written so are sent as those types.

use base64::Engine as _;
use diglot::{Bytes, DateTime, Struct, Value};

const DATETIME: &str = "$dateTime";
const BASE64: &str = "$base64";

/// One argument as typed: `name=value` by name, or a value by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arg {
    pub(crate) name: Option<String>,
    pub(crate) word: String,
}

impl Arg {
    /// `name=value` when what precedes `=` is an identifier and a value
    /// follows; anything else is a value: `"a=b"` in JSON quotes, and base64
    /// text ending in `=` padding such as `aGk=` or `aGVsbG8gd29ybGQ==`.
    pub(crate) fn parse(text: &str) -> Arg {
        if let Some((name, word)) = text
            .split_once('=')
            .filter(|(_, word)| !word.is_empty() && !word.starts_with('='))
        {
            let mut chars = name.chars();
            let identifier = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
            if identifier {
                return Arg {
                    name: Some(name.to_owned()),
                    word: word.to_owned(),
                };
            }
        }
        Arg {
            name: None,
            word: text.to_owned(),
        }
    }
}

/// The parameters of one call.
#[derive(Debug, Clone)]
pub(crate) enum Params {
    ByPosition(Vec<Value>),
    ByName(Struct),
}

impl serde::Serialize for Params {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Params::ByPosition(values) => values.serialize(serializer),
            Params::ByName(members) => members.serialize(serializer),
        }
    }
}

/// Reads arguments: all by position or all by name. `types` are the XML-RPC
/// parameter types of a signature with as many parameters, when known.
pub(crate) fn params(args: &[Arg], types: Option<&[String]>) -> Result<Params, String> {
    let named = args.iter().filter(|a| a.name.is_some()).count();
    if named == 0 {
        let values = args
            .iter()
            .enumerate()
            .map(|(i, arg)| typed(&arg.word, types.and_then(|t| t.get(i)).map(String::as_str)))
            .collect::<Result<_, _>>()?;
        return Ok(Params::ByPosition(values));
    }
    if named != args.len() {
        return Err("arguments go all by position or all by name (name=value), not both".into());
    }
    let mut members = Struct::new();
    for arg in args {
        let name = arg.name.as_deref().unwrap_or_default();
        if members.insert(name, typed(&arg.word, None)?).is_some() {
            return Err(format!("the argument {name} is given twice"));
        }
    }
    Ok(Params::ByName(members))
}

/// A word as a value of XML-RPC type `ty`, or, untyped, as a JSON literal
/// (a word that is not JSON is a string).
pub(crate) fn typed(word: &str, ty: Option<&str>) -> Result<Value, String> {
    // Read as a `Value`, not as `serde_json::Value`, to keep member order.
    let as_json = || serde_json::from_str::<Value>(word).ok();
    let text = || match as_json() {
        Some(Value::String(s)) => s,
        _ => word.to_owned(),
    };
    match ty {
        Some("string") => Ok(Value::String(text())),
        Some("dateTime.iso8601") => match as_json() {
            Some(value @ Value::Struct(_)) => unmark(value),
            _ => text()
                .parse::<DateTime>()
                .map(Value::DateTime)
                .map_err(|e| format!("{word:?} is not a dateTime ({e})")),
        },
        Some("base64") => match as_json() {
            Some(value @ Value::Struct(_)) => unmark(value),
            _ => decode_base64(&text()),
        },
        Some("double") => match as_json() {
            Some(Value::I32(i)) => Ok(Value::F64(i.into())),
            Some(Value::I64(i)) => Ok(Value::F64(i as f64)),
            Some(value @ Value::F64(_)) => Ok(value),
            _ => Ok(Value::String(text())),
        },
        _ => match as_json() {
            Some(value) => unmark(value),
            None => Ok(Value::String(word.to_owned())),
        },
    }
}

fn decode_base64(text: &str) -> Result<Value, String> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map(|bytes| Value::Bytes(Bytes::from(bytes)))
        .map_err(|e| format!("{text:?} is not base64 ({e})"))
}

/// Turns the `$dateTime` and `$base64` structs of a value read from JSON
/// into those types.
pub(crate) fn unmark(value: Value) -> Result<Value, String> {
    Ok(match value {
        Value::Array(items) => {
            Value::Array(items.into_iter().map(unmark).collect::<Result<_, _>>()?)
        }
        Value::Struct(members) if members.len() == 1 => {
            match members.iter().next() {
                Some((DATETIME, Value::String(text))) => {
                    let at = text
                        .parse::<DateTime>()
                        .map_err(|e| format!("{text:?} is not a dateTime ({e})"))?;
                    return Ok(Value::DateTime(at));
                }
                Some((BASE64, Value::String(text))) => return decode_base64(text),
                _ => {}
            }
            unmark_members(members)?
        }
        Value::Struct(members) => unmark_members(members)?,
        other => other,
    })
}

fn unmark_members(members: Struct) -> Result<Value, String> {
    let mut out = Struct::with_capacity(members.len());
    for (name, value) in members {
        out.insert(name, unmark(value)?);
    }
    Ok(Value::Struct(out))
}

/// A value shown as JSON: members in the order they came, dateTime and
/// base64 marked.
pub(crate) struct Shown<'a>(pub(crate) &'a Value);

impl serde::Serialize for Shown<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        let marked = |serializer: S, key: &str, text: &str| {
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(key, text)?;
            map.end()
        };
        match self.0 {
            Value::DateTime(at) => marked(serializer, DATETIME, &at.to_extended_string()),
            Value::Bytes(bytes) => marked(
                serializer,
                BASE64,
                &base64::engine::general_purpose::STANDARD.encode(bytes.as_ref()),
            ),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Shown(item))?;
                }
                seq.end()
            }
            Value::Struct(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members.iter() {
                    map.serialize_entry(name, &Shown(value))?;
                }
                map.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

impl Shown<'_> {
    /// On one line.
    pub(crate) fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("(unprintable: {e})"))
    }
}

/// A value as indented JSON.
pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(&Shown(value)).unwrap_or_else(|e| format!("(unprintable: {e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_json_literals_or_strings() {
        assert_eq!(typed("1", None).unwrap(), Value::I32(1));
        assert_eq!(typed("1.5", None).unwrap(), Value::F64(1.5));
        assert_eq!(typed("hello", None).unwrap(), Value::from("hello"));
        assert_eq!(typed("\"42\"", None).unwrap(), Value::from("42"));
        assert_eq!(
            typed("[1,true,null]", None).unwrap(),
            Value::from(vec![Value::I32(1), Value::Bool(true), Value::Nil])
        );
    }

    #[test]
    fn a_signature_types_the_word() {
        assert_eq!(typed("42", Some("string")).unwrap(), Value::from("42"));
        assert_eq!(typed("2", Some("double")).unwrap(), Value::F64(2.0));
        let at = typed("2026-12-04T10:00:00", Some("dateTime.iso8601")).unwrap();
        assert_eq!(at.type_name(), "dateTime.iso8601");
        assert_eq!(
            typed("aGk=", Some("base64")).unwrap(),
            Value::Bytes(Bytes::from(&b"hi"[..]))
        );
        assert!(typed("not a date", Some("dateTime.iso8601")).is_err());
        assert!(typed("!!", Some("base64")).is_err());
    }

    #[test]
    fn marked_members_round_trip_in_order() {
        let text = r#"{"z":[{"$dateTime":"2026-12-04T10:00:00"},{"$base64":"aGk="}],"a":1}"#;
        let value = typed(text, None).unwrap();
        assert_eq!(value.get("z").unwrap().type_name(), "array");
        assert_eq!(serde_json::to_string(&Shown(&value)).unwrap(), text);
    }

    #[test]
    fn arguments_go_by_position_or_by_name() {
        let args: Vec<Arg> = ["a=1", "b=2"].iter().map(|t| Arg::parse(t)).collect();
        assert!(matches!(params(&args, None).unwrap(), Params::ByName(m) if m.len() == 2));
        assert_eq!(Arg::parse("\"x=y\"").name, None);
        assert_eq!(Arg::parse("2=3").name, None);
        assert_eq!(Arg::parse("aGk=").name, None);
        assert_eq!(Arg::parse("aGVsbG8gd29ybGQ==").name, None);
        assert_eq!(Arg::parse("a=\"\"").name.as_deref(), Some("a"));
        let mixed: Vec<Arg> = ["a=1", "2"].iter().map(|t| Arg::parse(t)).collect();
        assert!(params(&mixed, None).is_err());
        let twice: Vec<Arg> = ["a=1", "a=2"].iter().map(|t| Arg::parse(t)).collect();
        assert!(params(&twice, None).is_err());
    }
}
