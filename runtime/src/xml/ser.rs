//! serde `Serializer` that writes any `Serialize` value as an XML-RPC `<value>`.

use std::fmt::{self, Write as _};

use serde::ser::{self, Impossible, Serialize};

use super::Dialect;
use super::escape;
use crate::Fault;
use crate::value::{BYTES_TOKEN, DATETIME_TOKEN, DateTime};

/// Writes one `<value>…</value>` into `out`.
pub(crate) struct ValueSer<'o> {
    pub(crate) out: &'o mut Vec<u8>,
    pub(crate) dialect: Dialect,
}

impl ValueSer<'_> {
    fn scalar(self, open: &[u8], body: &[u8], close: &[u8]) -> Result<(), Fault> {
        self.out.extend_from_slice(b"<value>");
        self.out.extend_from_slice(open);
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(close);
        self.out.extend_from_slice(b"</value>");
        Ok(())
    }

    fn int(self, n: i64) -> Result<(), Fault> {
        let mut buf = itoa::Buffer::new();
        let digits = buf.format(n).as_bytes();
        if i32::try_from(n).is_ok() {
            self.scalar(b"<i4>", digits, b"</i4>")
        } else if self.dialect == Dialect::Apache {
            self.scalar(b"<ex:i8>", digits, b"</ex:i8>")
        } else {
            self.scalar(b"<i8>", digits, b"</i8>")
        }
    }

    fn string(self, s: &str) -> Result<(), Fault> {
        self.out.extend_from_slice(b"<value><string>");
        escape::text(self.out, s)?;
        self.out.extend_from_slice(b"</string></value>");
        Ok(())
    }

    /// `<value><struct><member><name>variant</name>` — the start of serde's
    /// external tagging of an enum variant.
    fn open_variant(&mut self, variant: &str) -> Result<(), Fault> {
        self.out.extend_from_slice(b"<value><struct><member><name>");
        escape::text(self.out, variant)?;
        self.out.extend_from_slice(b"</name>");
        Ok(())
    }
}

/// Formats a finite double in decimal notation, as the specification asks
/// (no exponent), with the shortest digits that read back the same value.
pub(crate) fn write_double(out: &mut Vec<u8>, f: f64) -> Result<(), Fault> {
    if !f.is_finite() {
        return Err(Fault::internal_error(
            "XML-RPC cannot carry an infinite or NaN double",
        ));
    }
    let mut text = String::with_capacity(24);
    write!(text, "{f}").expect("writing to a String");
    if !text.contains('.') {
        text.push_str(".0");
    }
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

impl<'o> ser::Serializer for ValueSer<'o> {
    type Ok = ();
    type Error = Fault;
    type SerializeSeq = Compound<'o>;
    type SerializeTuple = Compound<'o>;
    type SerializeTupleStruct = Compound<'o>;
    type SerializeTupleVariant = Compound<'o>;
    type SerializeMap = Compound<'o>;
    type SerializeStruct = Compound<'o>;
    type SerializeStructVariant = Compound<'o>;

    fn serialize_bool(self, v: bool) -> Result<(), Fault> {
        self.scalar(b"<boolean>", if v { b"1" } else { b"0" }, b"</boolean>")
    }

    fn serialize_i8(self, v: i8) -> Result<(), Fault> {
        self.int(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<(), Fault> {
        self.int(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<(), Fault> {
        self.int(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<(), Fault> {
        self.int(v)
    }

    fn serialize_i128(self, v: i128) -> Result<(), Fault> {
        self.int(i64::try_from(v).map_err(|_| too_big())?)
    }

    fn serialize_u8(self, v: u8) -> Result<(), Fault> {
        self.int(i64::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<(), Fault> {
        self.int(i64::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<(), Fault> {
        self.int(i64::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<(), Fault> {
        self.int(i64::try_from(v).map_err(|_| too_big())?)
    }

    fn serialize_u128(self, v: u128) -> Result<(), Fault> {
        self.int(i64::try_from(v).map_err(|_| too_big())?)
    }

    fn serialize_f32(self, v: f32) -> Result<(), Fault> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Fault> {
        self.out.extend_from_slice(b"<value><double>");
        write_double(self.out, v)?;
        self.out.extend_from_slice(b"</double></value>");
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Fault> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Fault> {
        self.string(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Fault> {
        self.out.extend_from_slice(b"<value><base64>");
        crate::b64::encode_into(v, self.out);
        self.out.extend_from_slice(b"</base64></value>");
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Fault> {
        self.serialize_unit()
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Fault> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Fault> {
        let nil: &[u8] = match self.dialect {
            Dialect::Standard => b"<nil/>",
            Dialect::Apache => b"<ex:nil/>",
        };
        self.scalar(nil, b"", b"")
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Fault> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Fault> {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Fault> {
        match name {
            DATETIME_TOKEN => {
                let mut text = String::new();
                value.serialize(TextSer(&mut text))?;
                let dt: DateTime = text.parse().map_err(Fault::internal_error)?;
                self.out.extend_from_slice(b"<value><dateTime.iso8601>");
                dt.write_basic(self.out);
                self.out.extend_from_slice(b"</dateTime.iso8601></value>");
                Ok(())
            }
            BYTES_TOKEN => {
                // The inner value is already base64 text, which needs no
                // escaping: written in place, as large as it may be.
                let start = self.out.len();
                self.out.extend_from_slice(b"<value><base64>");
                if let Err(fault) = value.serialize(AppendText(&mut *self.out)) {
                    self.out.truncate(start);
                    return Err(fault);
                }
                self.out.extend_from_slice(b"</base64></value>");
                Ok(())
            }
            _ => value.serialize(self),
        }
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Fault> {
        self.open_variant(variant)?;
        value.serialize(ValueSer {
            out: &mut *self.out,
            dialect: self.dialect,
        })?;
        self.out.extend_from_slice(b"</member></struct></value>");
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'o>, Fault> {
        self.out.extend_from_slice(b"<value><array><data>");
        Ok(Compound::new(self, b"</data></array></value>"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'o>, Fault> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'o>, Fault> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'o>, Fault> {
        self.open_variant(variant)?;
        self.out.extend_from_slice(b"<value><array><data>");
        Ok(Compound::new(
            self,
            b"</data></array></value></member></struct></value>",
        ))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'o>, Fault> {
        self.out.extend_from_slice(b"<value><struct>");
        Ok(Compound::new(self, b"</struct></value>"))
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'o>, Fault> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'o>, Fault> {
        self.open_variant(variant)?;
        self.out.extend_from_slice(b"<value><struct>");
        Ok(Compound::new(
            self,
            b"</struct></value></member></struct></value>",
        ))
    }

    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<(), Fault> {
        self.string(&value.to_string())
    }
}

fn too_big() -> Fault {
    Fault::internal_error("an integer outside the 64-bit range cannot travel as XML-RPC i8")
}

/// An array or struct being written; `close` is what `end` appends.
pub(crate) struct Compound<'o> {
    out: &'o mut Vec<u8>,
    dialect: Dialect,
    close: &'static [u8],
}

impl<'o> Compound<'o> {
    fn new(ser: ValueSer<'o>, close: &'static [u8]) -> Self {
        Compound {
            out: ser.out,
            dialect: ser.dialect,
            close,
        }
    }

    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        value.serialize(ValueSer {
            out: &mut *self.out,
            dialect: self.dialect,
        })
    }

    fn member<T: ?Sized + Serialize>(&mut self, name: &str, value: &T) -> Result<(), Fault> {
        self.out.extend_from_slice(b"<member><name>");
        escape::text(self.out, name)?;
        self.out.extend_from_slice(b"</name>");
        self.element(value)?;
        self.out.extend_from_slice(b"</member>");
        Ok(())
    }

    fn finish(self) -> Result<(), Fault> {
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        self.element(value)
    }

    fn end(self) -> Result<(), Fault> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        self.element(value)
    }

    fn end(self) -> Result<(), Fault> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        self.element(value)
    }

    fn end(self) -> Result<(), Fault> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        self.element(value)
    }

    fn end(self) -> Result<(), Fault> {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Fault> {
        self.out.extend_from_slice(b"<member><name>");
        key.serialize(KeySer(&mut *self.out))?;
        self.out.extend_from_slice(b"</name>");
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        self.element(value)?;
        self.out.extend_from_slice(b"</member>");
        Ok(())
    }

    fn end(self) -> Result<(), Fault> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Fault> {
        self.member(key, value)
    }

    fn end(self) -> Result<(), Fault> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Fault> {
        self.member(key, value)
    }

    fn end(self) -> Result<(), Fault> {
        self.finish()
    }
}

/// Rejects every kind of value but a string; used by [`KeySer`] and [`TextSer`].
fn not_text() -> Fault {
    Fault::internal_error("struct member names must be strings or integers")
}

macro_rules! reject {
    ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ret, Fault> {
            Err(not_text())
        }
    )*};
}

macro_rules! text_only_serializer {
    ($ty:ident) => {
        type Ok = ();
        type Error = Fault;
        type SerializeSeq = Impossible<(), Fault>;
        type SerializeTuple = Impossible<(), Fault>;
        type SerializeTupleStruct = Impossible<(), Fault>;
        type SerializeTupleVariant = Impossible<(), Fault>;
        type SerializeMap = Impossible<(), Fault>;
        type SerializeStruct = Impossible<(), Fault>;
        type SerializeStructVariant = Impossible<(), Fault>;

        reject! {
            serialize_bool(bool) -> ();
            serialize_f32(f32) -> ();
            serialize_f64(f64) -> ();
            serialize_bytes(&[u8]) -> ();
            serialize_none() -> ();
            serialize_unit() -> ();
            serialize_unit_struct(&'static str) -> ();
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_map(Option<usize>) -> Self::SerializeMap;
            serialize_struct(&'static str, usize) -> Self::SerializeStruct;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }

        fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Fault> {
            value.serialize(self)
        }

        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _name: &'static str,
            value: &T,
        ) -> Result<(), Fault> {
            value.serialize(self)
        }

        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _value: &T,
        ) -> Result<(), Fault> {
            Err(not_text())
        }

        fn serialize_unit_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
        ) -> Result<(), Fault> {
            self.serialize_str(variant)
        }

        fn serialize_char(self, v: char) -> Result<(), Fault> {
            self.serialize_str(v.encode_utf8(&mut [0; 4]))
        }

        fn serialize_i8(self, v: i8) -> Result<(), Fault> {
            self.serialize_i64(i64::from(v))
        }

        fn serialize_i16(self, v: i16) -> Result<(), Fault> {
            self.serialize_i64(i64::from(v))
        }

        fn serialize_i32(self, v: i32) -> Result<(), Fault> {
            self.serialize_i64(i64::from(v))
        }

        fn serialize_i64(self, v: i64) -> Result<(), Fault> {
            self.serialize_str(itoa::Buffer::new().format(v))
        }

        fn serialize_u8(self, v: u8) -> Result<(), Fault> {
            self.serialize_u64(u64::from(v))
        }

        fn serialize_u16(self, v: u16) -> Result<(), Fault> {
            self.serialize_u64(u64::from(v))
        }

        fn serialize_u32(self, v: u32) -> Result<(), Fault> {
            self.serialize_u64(u64::from(v))
        }

        fn serialize_u64(self, v: u64) -> Result<(), Fault> {
            self.serialize_str(itoa::Buffer::new().format(v))
        }
    };
}

/// Writes a map key as escaped member-name text (integers become decimal text).
struct KeySer<'o>(&'o mut Vec<u8>);

impl ser::Serializer for KeySer<'_> {
    text_only_serializer!(KeySer);

    fn serialize_str(self, v: &str) -> Result<(), Fault> {
        escape::text(self.0, v)
    }
}

/// Captures a string (the inner text of a date-time or base64 newtype).
struct TextSer<'s>(&'s mut String);

impl ser::Serializer for TextSer<'_> {
    text_only_serializer!(TextSer);

    fn serialize_str(self, v: &str) -> Result<(), Fault> {
        self.0.push_str(v);
        Ok(())
    }

    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<(), Fault> {
        write!(self.0, "{value}").map_err(Fault::internal_error)
    }
}

/// Appends text as it is.
struct AppendText<'o>(&'o mut Vec<u8>);

impl fmt::Write for AppendText<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl ser::Serializer for AppendText<'_> {
    text_only_serializer!(AppendText);

    fn serialize_str(self, v: &str) -> Result<(), Fault> {
        self.0.extend_from_slice(v.as_bytes());
        Ok(())
    }

    fn collect_str<T: ?Sized + fmt::Display>(mut self, value: &T) -> Result<(), Fault> {
        write!(self, "{value}").map_err(Fault::internal_error)
    }
}
