//! A call's parameter list as one serde sequence, in both directions.

use serde::de::{self, DeserializeSeed, Visitor};
use serde::ser::{self, Impossible, Serialize};

use super::{Dialect, MethodCall, ValueSer};
use crate::Fault;

/// The remaining parameters of a call, presented as a sequence.
pub(super) struct ParamsDe<'c, 'a> {
    pub(super) call: &'c mut MethodCall<'a>,
}

impl<'a> de::Deserializer<'a> for ParamsDe<'_, 'a> {
    type Error = Fault;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Fault> {
        visitor.visit_seq(self)
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'a> de::SeqAccess<'a> for ParamsDe<'_, 'a> {
    type Error = Fault;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Fault> {
        self.call.next_param_seed(seed)
    }
}

/// Writes each element of a sequence as a `<param>`.
pub(super) struct ParamsSer<'o> {
    pub(super) out: &'o mut Vec<u8>,
    pub(super) dialect: Dialect,
}

impl ParamsSer<'_> {
    fn param<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        self.out.extend_from_slice(b"<param>");
        value.serialize(ValueSer {
            out: &mut *self.out,
            dialect: self.dialect,
        })?;
        self.out.extend_from_slice(b"</param>");
        Ok(())
    }
}

fn not_a_sequence() -> Fault {
    Fault::internal_error("call parameters must serialize as a sequence (a tuple, array or Vec)")
}

macro_rules! reject_params {
    ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ret, Fault> {
            Err(not_a_sequence())
        }
    )*};
}

impl<'o> ser::Serializer for ParamsSer<'o> {
    type Ok = ();
    type Error = Fault;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Impossible<(), Fault>;
    type SerializeMap = Impossible<(), Fault>;
    type SerializeStruct = Impossible<(), Fault>;
    type SerializeStructVariant = Impossible<(), Fault>;

    reject_params! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_none(self) -> Result<(), Fault> {
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Fault> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Fault> {
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Fault> {
        Ok(())
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
        Err(not_a_sequence())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Fault> {
        Ok(self)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self, Fault> {
        Ok(self)
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self, Fault> {
        Ok(self)
    }
}

impl ser::SerializeSeq for ParamsSer<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        self.param(value)
    }

    fn end(self) -> Result<(), Fault> {
        Ok(())
    }
}

impl ser::SerializeTuple for ParamsSer<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        self.param(value)
    }

    fn end(self) -> Result<(), Fault> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for ParamsSer<'_> {
    type Ok = ();
    type Error = Fault;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Fault> {
        self.param(value)
    }

    fn end(self) -> Result<(), Fault> {
        Ok(())
    }
}
