//! serde for [`Value`], [`Bytes`], [`DateTime`] and [`Struct`].
//!
//! Date-times and bytes have no serde data-model type of their own, so they
//! travel as newtype structs with reserved names. diglot's XML-RPC serializer
//! and deserializer recognise the names and use `<dateTime.iso8601>` and
//! `<base64>`; any other format (serde_json) sees the inner string.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::{Bytes, DateTime, Struct, Value};

/// Newtype name that marks a date-time.
pub(crate) const DATETIME_TOKEN: &str = "$diglot::DateTime";
/// Newtype name that marks base64 bytes.
pub(crate) const BYTES_TOKEN: &str = "$diglot::Bytes";

/// Most elements pre-allocated from a size hint, so a hostile length costs nothing.
const MAX_PREALLOC: usize = 4096;

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Nil => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::I32(n) => s.serialize_i32(*n),
            Value::I64(n) => s.serialize_i64(*n),
            Value::F64(f) => s.serialize_f64(*f),
            Value::String(text) => s.serialize_str(text),
            Value::DateTime(dt) => dt.serialize(s),
            Value::Bytes(b) => b.serialize(s),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Struct(members) => members.serialize(s),
        }
    }
}

impl Serialize for Struct {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(DATETIME_TOKEN, &self.to_extended_string())
    }
}

/// Writes bytes as base64 text without an intermediate `String`.
struct Base64Text<'a>(&'a [u8]);

impl Serialize for Base64Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&crate::b64::display(self.0))
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(BYTES_TOKEN, &Base64Text(&self.0))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any XML-RPC or JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i32<E>(self, n: i32) -> Result<Value, E> {
        Ok(Value::I32(n))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        // Past i64 only a float can hold it, as a JSON reader would.
        Ok(i64::try_from(n).map_or(Value::F64(n as f64), Value::from))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::F64(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_bytes<E>(self, b: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(Bytes(b.to_vec())))
    }

    fn visit_byte_buf<E>(self, b: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(Bytes(b)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_PREALLOC));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Value::Struct(Struct::new()));
        };
        if first == DATETIME_TOKEN {
            let text: String = map.next_value()?;
            return text.parse().map(Value::DateTime).map_err(de::Error::custom);
        }
        let mut members = Struct::with_capacity(map.size_hint().unwrap_or(0).min(MAX_PREALLOC));
        members.insert(first, map.next_value::<Value>()?);
        while let Some((name, value)) = map.next_entry::<String, Value>()? {
            members.insert(name, value);
        }
        Ok(Value::Struct(members))
    }
}

impl<'de> Deserialize<'de> for Struct {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Struct(s) => Ok(s),
            other => Err(de::Error::custom(format_args!(
                "expected a struct, found {}",
                other.type_name()
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(DATETIME_TOKEN, DateTimeVisitor)
    }
}

struct DateTimeVisitor;

impl<'de> Visitor<'de> for DateTimeVisitor {
    type Value = DateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a dateTime.iso8601")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<DateTime, E> {
        s.parse().map_err(E::custom)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<DateTime, D::Error> {
        d.deserialize_str(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DateTime, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == DATETIME_TOKEN => {
                let text: String = map.next_value()?;
                text.parse().map_err(de::Error::custom)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(BYTES_TOKEN, BytesVisitor)
    }
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Bytes;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("base64 data")
    }

    fn visit_bytes<E>(self, b: &[u8]) -> Result<Bytes, E> {
        Ok(Bytes(b.to_vec()))
    }

    fn visit_byte_buf<E>(self, b: Vec<u8>) -> Result<Bytes, E> {
        Ok(Bytes(b))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Bytes, E> {
        crate::b64::decode(s).map(Bytes).map_err(E::custom)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Bytes, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_PREALLOC));
        while let Some(b) = seq.next_element::<u8>()? {
            out.push(b);
        }
        Ok(Bytes(out))
    }
}

/// How diglot's own types describe themselves to introspection. Each is
/// its XML-RPC type in JSON's terms; `x-xmlrpc` names the XML-RPC type for
/// those JSON has no word for.
#[cfg(feature = "schemars")]
mod described {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    use crate::{Bytes, DateTime, Struct, Value};

    impl JsonSchema for DateTime {
        fn schema_name() -> Cow<'static, str> {
            "DateTime".into()
        }

        fn inline_schema() -> bool {
            true
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$",
                "x-xmlrpc": "dateTime.iso8601",
            })
        }
    }

    impl JsonSchema for Bytes {
        fn schema_name() -> Cow<'static, str> {
            "Bytes".into()
        }

        fn inline_schema() -> bool {
            true
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "contentEncoding": "base64",
                "x-xmlrpc": "base64",
            })
        }
    }

    impl JsonSchema for Struct {
        fn schema_name() -> Cow<'static, str> {
            "Struct".into()
        }

        fn inline_schema() -> bool {
            true
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({"type": "object"})
        }
    }

    impl JsonSchema for Value {
        fn schema_name() -> Cow<'static, str> {
            "Value".into()
        }

        fn inline_schema() -> bool {
            true
        }

        /// Any value.
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            true.into()
        }
    }
}
