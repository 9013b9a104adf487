//! [`Value`]: any XML-RPC or JSON-RPC value, for dynamic use.

mod bytes;
mod convert;
mod datetime;
mod instant;
mod serde_impl;
mod structure;

pub use bytes::Bytes;
pub use datetime::{DateTime, DateTimeError};
pub use structure::{IntoMembers, Struct};

pub(crate) use serde_impl::{BYTES_TOKEN, DATETIME_TOKEN};

/// Any value either protocol can carry.
///
/// Typed code rarely needs `Value`: method parameters and results decode
/// straight from the wire into Rust types. `Value` is for the dynamic cases —
/// a parameter of any shape, `system.multicall`, introspection, the dynamic
/// client.
///
/// | variant | XML-RPC | JSON |
/// |---|---|---|
/// | `Nil` | `<nil/>` | `null` |
/// | `Bool` | `<boolean>` | `true`/`false` |
/// | `I32` | `<i4>` (reads `int`, `i1`, `i2`, `i4`) | number |
/// | `I64` | `<i8>` when outside 32 bits, else `<i4>` | number |
/// | `F64` | `<double>` | number |
/// | `String` | `<string>` (reads a bare `<value>text</value>`) | string |
/// | `DateTime` | `<dateTime.iso8601>` | string `YYYY-MM-DDTHH:MM:SS` |
/// | `Bytes` | `<base64>` | base64 string |
/// | `Array` | `<array>` | array |
/// | `Struct` | `<struct>` (member order kept) | object |
///
/// Integers compare by value whichever variant holds them, so
/// `Value::I64(5) == Value::I32(5)`; decoding always yields `I32` for values
/// that fit 32 bits.
///
/// JSON has no date-time or byte types: they travel as strings and come back
/// as [`Value::String`].
///
/// ```
/// use diglot::{Struct, Value};
///
/// let point: Value = Struct::from_iter([("x", 1), ("y", 2)]).into();
/// assert_eq!(point.get("y"), Some(&Value::I32(2)));
/// assert_eq!(Value::from(1_i64 << 40).type_name(), "i8");
/// ```
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// No value (XML-RPC `nil` extension, JSON `null`).
    #[default]
    Nil,
    /// A boolean.
    Bool(bool),
    /// An integer that fits 32 bits.
    I32(i32),
    /// A 64-bit integer.
    I64(i64),
    /// A double-precision float.
    F64(f64),
    /// Text.
    String(String),
    /// A date and time without zone.
    DateTime(DateTime),
    /// Binary data.
    Bytes(Bytes),
    /// An ordered list.
    Array(Vec<Value>),
    /// Named members, in the order they were given.
    Struct(Struct),
}

impl Value {
    /// The XML-RPC type name of the value, as `system.methodSignature` uses it:
    /// `nil`, `boolean`, `int`, `i8`, `double`, `string`, `dateTime.iso8601`,
    /// `base64`, `array` or `struct`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "boolean",
            Value::I32(_) => "int",
            Value::I64(n) if i32::try_from(*n).is_ok() => "int",
            Value::I64(_) => "i8",
            Value::F64(_) => "double",
            Value::String(_) => "string",
            Value::DateTime(_) => "dateTime.iso8601",
            Value::Bytes(_) => "base64",
            Value::Array(_) => "array",
            Value::Struct(_) => "struct",
        }
    }

    /// Whether the value is `Nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The boolean, if the value is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if the value is one (either width).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::I32(n) => Some(i64::from(*n)),
            Value::I64(n) => Some(*n),
            _ => None,
        }
    }

    /// The integer, if the value is one that fits 32 bits.
    pub fn as_i32(&self) -> Option<i32> {
        self.as_i64().and_then(|n| i32::try_from(n).ok())
    }

    /// The float, if the value is a double.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::F64(f) => Some(*f),
            _ => None,
        }
    }

    /// The text, if the value is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The date-time, if the value is one.
    pub fn as_datetime(&self) -> Option<DateTime> {
        match self {
            Value::DateTime(dt) => Some(*dt),
            _ => None,
        }
    }

    /// The bytes, if the value is base64 data.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The elements, if the value is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The members, if the value is a struct.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// A struct member by name; `None` if the value is not a struct or has no such member.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_struct().and_then(|s| s.get(name))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value as V;
        match (self, other) {
            (V::Nil, V::Nil) => true,
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::I32(_) | V::I64(_), V::I32(_) | V::I64(_)) => self.as_i64() == other.as_i64(),
            (V::F64(a), V::F64(b)) => a == b,
            (V::String(a), V::String(b)) => a == b,
            (V::DateTime(a), V::DateTime(b)) => a == b,
            (V::Bytes(a), V::Bytes(b)) => a == b,
            (V::Array(a), V::Array(b)) => a == b,
            (V::Struct(a), V::Struct(b)) => a == b,
            _ => false,
        }
    }
}
