//! A compact JSON serializer whose output is byte for byte serde_json's,
//! with a faster path for strings.
//!
//! serde_json escapes strings a byte at a time; a megabyte of text or
//! base64 costs more there than everything else in a call. This writer
//! finds the bytes that need an escape eight at a time and copies the runs
//! between them whole. Numbers, booleans and serde_json's own raw values go
//! through serde_json itself, so nothing else can differ.

use std::fmt::{self, Display};

use serde::ser::{self, Impossible, Serialize, SerializeMap, Serializer};

use super::scan::special;

type Result<T, E = serde_json::Error> = std::result::Result<T, E>;

/// Appends `value` as compact JSON, as `serde_json::to_writer` would.
/// On an error `out` may hold part of it: callers truncate.
pub(crate) fn to_vec<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    value.serialize(&mut Json { out })
}

/// Appends `text` as a JSON string.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    write_contents(out, text.as_bytes());
    out.push(b'"');
}

/// Appends `bytes` (UTF-8) escaped, without quotes: `\"`, `\\`, the short
/// forms of `\b \t \n \f \r`, and `\u00xx` for the other control bytes.
fn write_contents(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut run = 0;
    let mut at = 0;
    loop {
        // Skip plain bytes eight at a time, then one at a time at the end.
        while let Some(chunk) = bytes.get(at..at + 8) {
            let flags = special(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
            if flags != 0 {
                at += flags.trailing_zeros() as usize / 8;
                break;
            }
            at += 8;
        }
        while at < bytes.len() && !needs_escape(bytes[at]) {
            at += 1;
        }
        let Some(&b) = bytes.get(at) else {
            out.extend_from_slice(&bytes[run..]);
            return;
        };
        if !needs_escape(b) {
            // Only reached from the eight-byte loop's exact stop.
            at += 1;
            continue;
        }
        out.extend_from_slice(&bytes[run..at]);
        escape(out, b);
        at += 1;
        run = at;
    }
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

#[cold]
fn escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x09 => out.extend_from_slice(b"\\t"),
        0x0a => out.extend_from_slice(b"\\n"),
        0x0c => out.extend_from_slice(b"\\f"),
        0x0d => out.extend_from_slice(b"\\r"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

/// Escapes what a `Display` writes, piece by piece.
struct Escaping<'o>(&'o mut Vec<u8>);

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_contents(self.0, s.as_bytes());
        Ok(())
    }
}

fn collect(out: &mut Vec<u8>, value: &(impl Display + ?Sized)) {
    use fmt::Write as _;
    out.push(b'"');
    // Writing into a Vec fails only if the Display impl itself fails, which
    // serde_json does not report either.
    let _ = write!(Escaping(out), "{value}");
    out.push(b'"');
}

/// serde_json on the same buffer, for what this writer leaves to it.
fn serde_json_on(out: &mut Vec<u8>) -> serde_json::Serializer<&mut Vec<u8>> {
    serde_json::Serializer::new(out)
}

/// serde_json's names for structs whose one field is written raw.
fn is_raw_token(name: &str) -> bool {
    name.starts_with("$serde_json::private::")
}

struct Json<'o> {
    out: &'o mut Vec<u8>,
}

macro_rules! to_serde_json {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<()> {
            serde_json_on(self.out).$method(v)
        }
    )*};
}

impl<'a, 'o> Serializer for &'a mut Json<'o> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Compound<'a, 'o>;
    type SerializeTuple = Compound<'a, 'o>;
    type SerializeTupleStruct = Compound<'a, 'o>;
    type SerializeTupleVariant = Compound<'a, 'o>;
    type SerializeMap = Compound<'a, 'o>;
    type SerializeStruct = Compound<'a, 'o>;
    type SerializeStructVariant = Compound<'a, 'o>;

    to_serde_json! {
        serialize_bool(bool),
        serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32), serialize_f64(f64),
        serialize_bytes(&[u8]),
    }

    fn serialize_char(self, v: char) -> Result<()> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<()> {
        write_str(self.out, v);
        Ok(())
    }

    fn serialize_none(self) -> Result<()> {
        self.serialize_unit()
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a, 'o>> {
        Ok(Compound::open(self, b"[", b"]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 'o>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a, 'o>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'o>> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        Ok(Compound::open(self, b"[", b"]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a, 'o>> {
        Ok(Compound::open(self, b"{", b"}"))
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a, 'o>> {
        if is_raw_token(name) {
            return Ok(Compound {
                ser: self,
                first: true,
                close: b"",
                raw: Some(name),
            });
        }
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'o>> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        Ok(Compound::open(self, b"{", b"}}"))
    }

    fn collect_str<T: ?Sized + Display>(self, value: &T) -> Result<()> {
        collect(self.out, value);
        Ok(())
    }
}

/// An array or object being written.
struct Compound<'a, 'o> {
    ser: &'a mut Json<'o>,
    first: bool,
    close: &'static [u8],
    /// A serde_json raw value (its struct name), left to serde_json.
    raw: Option<&'static str>,
}

impl<'a, 'o> Compound<'a, 'o> {
    fn open(ser: &'a mut Json<'o>, open: &[u8], close: &'static [u8]) -> Self {
        ser.out.extend_from_slice(open);
        Compound {
            ser,
            first: true,
            close,
            raw: None,
        }
    }

    fn comma(&mut self) {
        if !self.first {
            self.ser.out.push(b',');
        }
        self.first = false;
    }

    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.comma();
        value.serialize(&mut *self.ser)
    }

    fn field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<()> {
        if let Some(name) = self.raw {
            let mut ser = serde_json_on(self.ser.out);
            let mut raw = ser::Serializer::serialize_struct(&mut ser, name, 1)?;
            ser::SerializeStruct::serialize_field(&mut raw, key, value)?;
            return ser::SerializeStruct::end(raw);
        }
        self.comma();
        write_str(self.ser.out, key);
        self.ser.out.push(b':');
        value.serialize(&mut *self.ser)
    }

    fn close(self) -> Result<()> {
        self.ser.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// The serde traits for an array's elements and an object's fields, each
/// forwarding to [`Compound::element`] or [`Compound::field`].
macro_rules! compound {
    (elements: $($trait:ident :: $method:ident),+) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = serde_json::Error;

            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
                self.element(value)
            }

            fn end(self) -> Result<()> {
                self.close()
            }
        }
    )+};
    (fields: $($trait:ident),+) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = serde_json::Error;

            fn serialize_field<T: ?Sized + Serialize>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<()> {
                self.field(key, value)
            }

            fn end(self) -> Result<()> {
                self.close()
            }
        }
    )+};
}

compound!(elements: SerializeSeq::serialize_element, SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field, SerializeTupleVariant::serialize_field);
compound!(fields: SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.comma();
        key.serialize(MapKey(self.ser.out))
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.ser.out.push(b':');
        value.serialize(&mut *self.ser)
    }

    fn end(self) -> Result<()> {
        self.close()
    }
}

/// A map key: strings here, anything else as serde_json writes a key (a
/// number in quotes, say) or refuses it, with serde_json's own error.
struct MapKey<'o>(&'o mut Vec<u8>);

impl MapKey<'_> {
    /// Lets serde_json write `key`, or refuse it.
    fn by_serde_json<K: ?Sized + Serialize>(self, key: &K) -> Result<()> {
        // serde_json writes keys only inside a map: open one, write the
        // key, and take the brace out again.
        let brace = self.0.len();
        {
            let mut ser = serde_json_on(self.0);
            let mut map = Serializer::serialize_map(&mut ser, None)?;
            map.serialize_key(key)?;
        }
        self.0.remove(brace);
        Ok(())
    }

    /// serde_json's error for a key that is not a string.
    fn refuse<T>(self) -> Result<T> {
        // The unit is a key serde_json refuses.
        match self.by_serde_json(&()) {
            Err(e) => Err(e),
            Ok(()) => Err(ser::Error::custom("key must be a string")),
        }
    }
}

macro_rules! key_by_serde_json {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<()> {
            self.by_serde_json(&v)
        }
    )*};
}

impl Serializer for MapKey<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<(), serde_json::Error>;
    type SerializeTuple = Impossible<(), serde_json::Error>;
    type SerializeTupleStruct = Impossible<(), serde_json::Error>;
    type SerializeTupleVariant = Impossible<(), serde_json::Error>;
    type SerializeMap = Impossible<(), serde_json::Error>;
    type SerializeStruct = Impossible<(), serde_json::Error>;
    type SerializeStructVariant = Impossible<(), serde_json::Error>;

    key_by_serde_json! {
        serialize_bool(bool),
        serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32), serialize_f64(f64),
    }

    fn serialize_char(self, v: char) -> Result<()> {
        write_str(self.0, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<()> {
        write_str(self.0, v);
        Ok(())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<()> {
        self.refuse()
    }

    fn serialize_none(self) -> Result<()> {
        self.refuse()
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<()> {
        self.refuse()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<()> {
        self.refuse()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<()> {
        self.refuse()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        self.refuse()
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        self.refuse()
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        self.refuse()
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        self.refuse()
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        self.refuse()
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        self.refuse()
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        self.refuse()
    }

    fn collect_str<T: ?Sized + Display>(self, value: &T) -> Result<()> {
        collect(self.0, value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use proptest::prelude::*;
    use serde::{Serialize, Serializer};
    use serde_json::value::RawValue;

    use crate::{Bytes, DateTime, Value};

    /// This writer's output and error against serde_json's.
    fn agree<T: Serialize + ?Sized>(value: &T) {
        let mut ours = b"prefix".to_vec();
        let ours = super::to_vec(&mut ours, value).map(|()| ours[6..].to_vec());
        let theirs = serde_json::to_vec(value);
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b)),
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string());
                assert_eq!(a.classify(), b.classify());
            }
            (a, b) => panic!("{a:?} vs {b:?}"),
        }
    }

    #[derive(Serialize)]
    enum Kinds {
        Unit,
        Newtype(i32),
        Tuple(u8, String),
        Struct { a: f64, b: Option<char> },
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Wrapper(String);

    #[derive(Serialize)]
    struct Pair(i8, bool);

    #[derive(Serialize)]
    struct Record<'a> {
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        raw: &'a RawValue,
        nested: Vec<Kinds>,
        flat: HashMap<u64, ()>,
    }

    struct RawBytes(&'static [u8]);

    impl Serialize for RawBytes {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    #[test]
    fn writes_what_serde_json_writes() {
        agree("plain");
        agree("\"quoted\\ \u{0}\u{1f}\u{7f}\u{8}\t\n\u{b}\u{c}\r/ é ☃ 𝄞");
        agree(&'\n');
        agree(&[Kinds::Unit, Kinds::Newtype(-3), Kinds::Tuple(7, "x".into())]);
        agree(&Kinds::Struct {
            a: f64::NAN,
            b: Some('"'),
        });
        agree(&(
            Unit,
            Wrapper("w\"".into()),
            Pair(-1, true),
            (),
            Some(()),
            None::<u8>,
        ));
        agree(&(i128::MIN, u128::MAX, 1.5f32, f32::INFINITY, -0.0f64, 1e300));
        agree(&RawBytes(b"\x00\xff"));
        let raw = RawValue::from_string(r#"{ "kept" : [1, 2] }"#.into()).unwrap();
        agree(&Record {
            name: "r",
            skipped: None,
            raw: &raw,
            nested: vec![Kinds::Struct { a: 2.0, b: None }],
            flat: HashMap::from([(7, ())]),
        });
        agree(&serde_json::json!({"a": [1, -2, 3.25, null, true, {"b\n": "c"}], "": {}}));
        agree(&Value::from(vec![
            Value::Bytes(Bytes(vec![0, 1, 2, 250, 251, 252, 253])),
            Value::DateTime("2024-01-02T03:04:05".parse::<DateTime>().unwrap()),
            Value::F64(f64::NEG_INFINITY),
        ]));
    }

    #[test]
    fn keys_as_serde_json_writes_or_refuses_them() {
        agree(&BTreeMap::from([(1i32, 'a'), (-2, 'b')]));
        agree(&BTreeMap::from([(true, 1), (false, 2)]));
        agree(&BTreeMap::from([('k', 1)]));
        agree(&MapOf(&[(1.5f64, 1), (-0.0, 2)]));
        agree(&HashMap::from([(u128::MAX, 1)]));
        agree(&[(Some("some"), 1)].into_iter().collect::<BTreeMap<_, _>>());
        // Refused keys: serde_json's own errors.
        let nan_key: Vec<(f64, u8)> = vec![(f64::NAN, 1)];
        agree(&MapOf(&nan_key));
        agree(&MapOf(&[((), 1)]));
        agree(&MapOf(&[(None::<&str>, 1)]));
        agree(&MapOf(&[(vec![1], 1)]));
        agree(&MapOf(&[(Kinds::Newtype(1), 1)]));
        agree(&MapOf(&[(Kinds::Unit, 1)]));
        agree(&MapOf(&[(Unit, 1)]));
        agree(&MapOf(&[(Wrapper("w".into()), 1)]));
        agree(&MapOf(&[(RawBytes(b"k"), 1)]));
    }

    /// A map from pairs whose key type needn't be `Ord` or `Hash`.
    struct MapOf<'a, K, V>(&'a [(K, V)]);

    impl<K: Serialize, V: Serialize> Serialize for MapOf<'_, K, V> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(Into::into),
            any::<i64>().prop_map(Into::into),
            any::<u64>().prop_map(Into::into),
            any::<f64>().prop_map(Into::into),
            any::<String>().prop_map(Into::into),
            "[\\x00-\\x7f]{0,40}".prop_map(Into::into),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Into::into),
                prop::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_string(text in any::<String>(), ascii in "[\\x00-\\x7f]{0,80}") {
            agree(&text);
            agree(&ascii);
            agree(&(text.as_str(), ascii.chars().collect::<Vec<char>>()));
        }

        #[test]
        fn any_json(value in json_value()) {
            agree(&value);
        }

        #[test]
        fn any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            agree(&Bytes(bytes));
        }
    }
}
