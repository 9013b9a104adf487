//! serde `Deserializer` over XML-RPC `<value>` elements: wire text goes
//! straight into the caller's Rust types, with no [`Value`](crate::Value)
//! tree in between.

use std::borrow::Cow;

use serde::de::value::{BorrowedStrDeserializer, SeqDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, Visitor};

use super::events::{Ev, Events, Tag, is_blank};
use super::scalar;
use crate::Fault;
use crate::value::{BYTES_TOKEN, DATETIME_TOKEN};

/// A `<value>` whose opening has been read.
enum Opened<'a> {
    /// `<value/>` or `<value>text</value>`: a string, already closed.
    Bare(Cow<'a, str>),
    /// `<value><tag …`: the type element's start has been consumed.
    Typed { tag: Tag, empty: bool },
}

/// Deserializes the next `<value>` element of the document.
pub(crate) struct ValueDe<'r, 'a> {
    ev: &'r mut Events<'a>,
    opened: Option<Opened<'a>>,
}

impl<'r, 'a> ValueDe<'r, 'a> {
    pub(crate) fn new(ev: &'r mut Events<'a>) -> Self {
        ValueDe { ev, opened: None }
    }

    fn open(&mut self) -> Result<Opened<'a>, Fault> {
        if let Some(opened) = self.opened.take() {
            return Ok(opened);
        }
        if self.ev.expect_start(Tag::Value)? {
            return Ok(Opened::Bare(Cow::Borrowed("")));
        }
        let text = self.ev.text()?;
        match self.ev.next()? {
            Ev::End(Tag::Value) => Ok(Opened::Bare(text)),
            Ev::Start(tag) if is_blank(&text) => Ok(Opened::Typed { tag, empty: false }),
            Ev::Empty(tag) if is_blank(&text) => Ok(Opened::Typed { tag, empty: true }),
            Ev::Start(_) | Ev::Empty(_) => {
                Err(self.ev.syntax("text beside a typed element inside <value>"))
            }
            _ => Err(self.ev.syntax("unclosed <value>")),
        }
    }

    /// Reads the text of a scalar whose start was consumed.
    fn text_of(&mut self, tag: Tag, empty: bool) -> Result<Cow<'a, str>, Fault> {
        if empty {
            Ok(Cow::Borrowed(""))
        } else {
            self.ev.scalar_text(tag)
        }
    }

    /// Finishes a typed value: `</value>`.
    fn close(&mut self) -> Result<(), Fault> {
        self.ev.expect_end(Tag::Value)
    }

    /// A scalar whose text is not a value of its type, named as sent.
    fn bad_scalar(&self, expected: &str) -> Fault {
        self.ev.bad_value(format_args!(
            "{} does not hold {expected}",
            self.ev.element()
        ))
    }

    /// A value the Rust type refused, with the element the client sent it
    /// in: "invalid type: a string, expected i32 (sent as <string>)".
    fn sent_as(&self, fault: Fault) -> Fault {
        if fault.code != Fault::INVALID_PARAMS {
            return fault;
        }
        let why = fault
            .message
            .strip_prefix("invalid params: ")
            .unwrap_or(&fault.message);
        Fault::invalid_params(format_args!("{why} (sent as {})", self.ev.element()))
    }

    /// Hands a typed value to the visitor according to its wire type.
    fn visit_typed<V: Visitor<'a>>(
        &mut self,
        tag: Tag,
        empty: bool,
        visitor: V,
    ) -> Result<V::Value, Fault> {
        let scalar = match tag {
            Tag::String => visit_cow(visitor, self.text_of(tag, empty)?),
            Tag::Int => {
                let text = self.text_of(tag, empty)?;
                let n = scalar::int(&text).ok_or_else(|| self.bad_scalar("a 32-bit integer"))?;
                visitor.visit_i32(n)
            }
            Tag::I8 => {
                let text = self.text_of(tag, empty)?;
                let n = scalar::i8(&text).ok_or_else(|| self.bad_scalar("a 64-bit integer"))?;
                visitor.visit_i64(n)
            }
            Tag::Boolean => {
                let text = self.text_of(tag, empty)?;
                let b = scalar::boolean(&text).ok_or_else(|| self.bad_scalar("0 or 1"))?;
                visitor.visit_bool(b)
            }
            Tag::Double => {
                let text = self.text_of(tag, empty)?;
                let f = scalar::double(&text).ok_or_else(|| self.bad_scalar("a number"))?;
                visitor.visit_f64(f)
            }
            Tag::DateTime => {
                let text = self.text_of(tag, empty)?;
                visitor.visit_map(DateTimeMap { text: Some(text) })
            }
            Tag::Base64 => {
                let text = self.text_of(tag, empty)?;
                let bytes = crate::b64::decode(&text).map_err(|e| self.ev.bad_value(e))?;
                visitor.visit_byte_buf(bytes)
            }
            _ => return self.visit_compound(tag, empty, visitor),
        };
        let value = scalar.map_err(|fault| self.sent_as(fault))?;
        self.close()?;
        Ok(value)
    }

    /// [`visit_typed`](Self::visit_typed) for nil, arrays and structs.
    fn visit_compound<V: Visitor<'a>>(
        &mut self,
        tag: Tag,
        empty: bool,
        visitor: V,
    ) -> Result<V::Value, Fault> {
        let value = match tag {
            Tag::Nil => {
                if !empty {
                    let text = self.ev.scalar_text(Tag::Nil)?;
                    if !is_blank(&text) {
                        return Err(self.ev.syntax("<nil> holds text"));
                    }
                }
                visitor.visit_unit()?
            }
            Tag::Array => self.visit_array(empty, visitor)?,
            Tag::Struct => self.visit_struct(empty, visitor)?,
            _ => {
                return Err(self.ev.syntax(format_args!(
                    "{} is not an XML-RPC value type",
                    self.ev.element()
                )));
            }
        };
        self.close()?;
        Ok(value)
    }

    fn visit_array<V: Visitor<'a>>(&mut self, empty: bool, visitor: V) -> Result<V::Value, Fault> {
        self.ev.enter()?;
        // `<array/>`, `<array><data/></array>` and `<array></array>` are all empty.
        let (done, closed) = if empty {
            (true, true)
        } else {
            match self.ev.next_tag()? {
                Ev::Start(Tag::Data) => (false, false),
                Ev::Empty(Tag::Data) => (true, false),
                Ev::End(Tag::Array) => (true, true),
                _ => return Err(self.ev.syntax("expected <data> in <array>")),
            }
        };
        let mut elements = Elements { ev: self.ev, done };
        let value = visitor.visit_seq(&mut elements)?;
        if !elements.done && !elements.at_end()? {
            return Err(Fault::invalid_params(
                "the array has more elements than expected",
            ));
        }
        if !closed {
            self.ev.expect_end(Tag::Array)?;
        }
        self.ev.leave();
        Ok(value)
    }

    fn visit_struct<V: Visitor<'a>>(&mut self, empty: bool, visitor: V) -> Result<V::Value, Fault> {
        self.ev.enter()?;
        let mut members = Members {
            ev: self.ev,
            done: empty,
        };
        let value = visitor.visit_map(&mut members)?;
        if !members.done && !members.at_end()? {
            return Err(Fault::invalid_params(
                "the struct has more members than expected",
            ));
        }
        self.ev.leave();
        Ok(value)
    }

    /// Skips a value of any shape, keeping to the depth limit.
    fn skip(&mut self) -> Result<(), Fault> {
        let Opened::Typed { tag, empty } = self.open()? else {
            return Ok(());
        };
        if !empty {
            // Three elements (value, array, data) per level of nesting.
            let max = self.ev.limits.depth() * 3 + 3;
            let mut open = 1usize;
            while open > 0 {
                match self.ev.next()? {
                    Ev::Start(_) => {
                        open += 1;
                        if open > max {
                            return Err(self.ev.limits.too_deep());
                        }
                    }
                    Ev::End(_) => open -= 1,
                    Ev::Eof => {
                        return Err(self
                            .ev
                            .syntax(format_args!("unclosed <{}>", tag.spec_name())));
                    }
                    Ev::Empty(_) | Ev::Text(_) => {}
                }
            }
        }
        self.close()
    }
}

fn visit_cow<'a, V: Visitor<'a>>(visitor: V, text: Cow<'a, str>) -> Result<V::Value, Fault> {
    match text {
        Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
        Cow::Owned(s) => visitor.visit_string(s),
    }
}

impl<'a> de::Deserializer<'a> for ValueDe<'_, 'a> {
    type Error = Fault;

    fn deserialize_any<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value, Fault> {
        match self.open()? {
            Opened::Bare(text) => visit_cow(visitor, text),
            Opened::Typed { tag, empty } => self.visit_typed(tag, empty, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value, Fault> {
        match self.open()? {
            Opened::Typed {
                tag: Tag::Nil,
                empty,
            } => {
                self.visit_typed(Tag::Nil, empty, de::IgnoredAny)?;
                visitor.visit_none()
            }
            opened => {
                self.opened = Some(opened);
                visitor.visit_some(self)
            }
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        mut self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Fault> {
        match (name, self.open()?) {
            (
                DATETIME_TOKEN,
                Opened::Typed {
                    tag: tag @ (Tag::DateTime | Tag::String),
                    empty,
                },
            ) => {
                let text = self.text_of(tag, empty)?;
                let value = visitor.visit_str(&text)?;
                self.close()?;
                Ok(value)
            }
            (DATETIME_TOKEN | BYTES_TOKEN, Opened::Bare(text)) => visit_cow(visitor, text),
            (DATETIME_TOKEN | BYTES_TOKEN, Opened::Typed { tag, empty }) => {
                self.visit_typed(tag, empty, visitor)
            }
            (_, opened) => {
                self.opened = Some(opened);
                visitor.visit_newtype_struct(self)
            }
        }
    }

    /// A `String` may hold a `dateTime.iso8601` as its text.
    fn deserialize_str<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value, Fault> {
        match self.open()? {
            Opened::Typed {
                tag: Tag::DateTime,
                empty,
            } => {
                let text = self.text_of(Tag::DateTime, empty)?;
                let value = visit_cow(visitor, text)?;
                self.close()?;
                Ok(value)
            }
            opened => {
                self.opened = Some(opened);
                self.deserialize_any(visitor)
            }
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Fault> {
        self.deserialize_str(visitor)
    }

    /// A `Vec<u8>` reads `<base64>` as well as an array of integers.
    fn deserialize_seq<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value, Fault> {
        match self.open()? {
            Opened::Typed {
                tag: Tag::Base64,
                empty,
            } => {
                let text = self.text_of(Tag::Base64, empty)?;
                let bytes = crate::b64::decode(&text).map_err(|e| self.ev.bad_value(e))?;
                let value =
                    visitor.visit_seq(SeqDeserializer::<_, Fault>::new(bytes.into_iter()))?;
                self.close()?;
                Ok(value)
            }
            opened => {
                self.opened = Some(opened);
                self.deserialize_any(visitor)
            }
        }
    }

    /// Unit variants travel as strings; other variants as a struct with one
    /// member named for the variant (serde's external tagging).
    fn deserialize_enum<V: Visitor<'a>>(
        mut self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Fault> {
        match self.open()? {
            Opened::Bare(Cow::Borrowed(s)) => visitor.visit_enum(BorrowedStrDeserializer::new(s)),
            Opened::Bare(Cow::Owned(s)) => visitor.visit_enum(StringDeserializer::new(s)),
            Opened::Typed {
                tag: Tag::String,
                empty,
            } => {
                let text = self.text_of(Tag::String, empty)?;
                let value = match text {
                    Cow::Borrowed(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s))?,
                    Cow::Owned(s) => visitor.visit_enum(StringDeserializer::new(s))?,
                };
                self.close()?;
                Ok(value)
            }
            Opened::Typed {
                tag: Tag::Struct,
                empty: false,
            } => {
                self.ev.enter()?;
                let value = visitor.visit_enum(StructVariant { ev: &mut *self.ev })?;
                self.ev.leave();
                self.close()?;
                Ok(value)
            }
            Opened::Typed { .. } => Err(Fault::invalid_params(
                "expected an enum as a string or a struct with one member",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value, Fault> {
        self.skip()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct tuple tuple_struct map struct identifier
    }
}

/// The elements of an `<array>`'s `<data>`.
struct Elements<'r, 'a> {
    ev: &'r mut Events<'a>,
    done: bool,
}

impl Elements<'_, '_> {
    /// Consumes `</data>` if it is next.
    fn at_end(&mut self) -> Result<bool, Fault> {
        match self.ev.peek_tag()? {
            Ev::End(Tag::Data) => {
                self.ev.next()?;
                self.done = true;
                Ok(true)
            }
            Ev::Start(Tag::Value) | Ev::Empty(Tag::Value) => Ok(false),
            _ => Err(self.ev.syntax("expected <value> or </data>")),
        }
    }
}

impl<'a> de::SeqAccess<'a> for Elements<'_, 'a> {
    type Error = Fault;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Fault> {
        if self.done || self.at_end()? {
            return Ok(None);
        }
        seed.deserialize(ValueDe::new(self.ev)).map(Some)
    }
}

/// The members of a `<struct>`.
struct Members<'r, 'a> {
    ev: &'r mut Events<'a>,
    done: bool,
}

impl<'a> Members<'_, 'a> {
    /// Consumes `</struct>` if it is next.
    fn at_end(&mut self) -> Result<bool, Fault> {
        match self.ev.peek_tag()? {
            Ev::End(Tag::Struct) => {
                self.ev.next()?;
                self.done = true;
                Ok(true)
            }
            Ev::Start(Tag::Member) => Ok(false),
            _ => Err(self.ev.syntax("expected <member> or </struct>")),
        }
    }

    /// Reads `<member><name>…</name>`, leaving the member's value next.
    fn name(&mut self) -> Result<Cow<'a, str>, Fault> {
        self.ev.expect_start(Tag::Member)?;
        if self.ev.expect_start(Tag::Name)? {
            Ok(Cow::Borrowed(""))
        } else {
            self.ev.scalar_text(Tag::Name)
        }
    }
}

fn name_de<'a>(name: Cow<'a, str>) -> NameDe<'a> {
    NameDe(name)
}

/// A member name as a serde key, borrowed when the document allows.
struct NameDe<'a>(Cow<'a, str>);

/// `deserialize_*` methods of [`NameDe`] for integer keys.
macro_rules! name_de_int {
    ($($method:ident => $visit:ident: $t:ty,)*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Fault> {
            match self.0.parse::<$t>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => visit_cow(visitor, self.0),
            }
        }
    )*};
}

impl<'a> de::Deserializer<'a> for NameDe<'a> {
    type Error = Fault;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Fault> {
        visit_cow(visitor, self.0)
    }

    // The writer turns integer map keys into decimal text, as serde_json
    // does; read them back the same way. Text that is not an integer goes to
    // the visitor as a string, which refuses it with a type error.
    name_de_int! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
    }

    /// A unit variant as a map key (the writer writes its name).
    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Fault> {
        match self.0 {
            Cow::Borrowed(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s)),
            Cow::Owned(s) => visitor.visit_enum(StringDeserializer::new(s)),
        }
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i128 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

impl<'a> de::MapAccess<'a> for Members<'_, 'a> {
    type Error = Fault;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Fault> {
        if self.done || self.at_end()? {
            return Ok(None);
        }
        let name = self.name()?;
        seed.deserialize(name_de(name)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Fault> {
        let value = seed.deserialize(ValueDe::new(self.ev))?;
        self.ev.expect_end(Tag::Member)?;
        Ok(value)
    }
}

/// A `dateTime.iso8601` handed to `deserialize_any`: a one-entry map under a
/// reserved key, so that [`Value`](crate::Value) keeps the type.
struct DateTimeMap<'a> {
    text: Option<Cow<'a, str>>,
}

impl<'a> de::MapAccess<'a> for DateTimeMap<'a> {
    type Error = Fault;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Fault> {
        if self.text.is_none() {
            return Ok(None);
        }
        seed.deserialize(BorrowedStrDeserializer::new(DATETIME_TOKEN))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Fault> {
        let text = self.text.take().expect("value follows its key");
        seed.deserialize(name_de(text))
    }
}

/// A struct with one member read as an enum variant.
struct StructVariant<'r, 'a> {
    ev: &'r mut Events<'a>,
}

impl<'r, 'a> de::EnumAccess<'a> for StructVariant<'r, 'a> {
    type Error = Fault;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> Result<(V::Value, Self), Fault> {
        let mut members = Members {
            ev: &mut *self.ev,
            done: false,
        };
        if members.at_end()? {
            return Err(Fault::invalid_params(
                "expected a struct with one member naming the variant",
            ));
        }
        let name = members.name()?;
        let variant = seed.deserialize(name_de(name))?;
        Ok((variant, self))
    }
}

impl<'a> StructVariant<'_, 'a> {
    /// Closes the member and the struct after the variant's content.
    fn finish(self) -> Result<(), Fault> {
        self.ev.expect_end(Tag::Member)?;
        match self.ev.next_tag()? {
            Ev::End(Tag::Struct) => Ok(()),
            _ => Err(Fault::invalid_params(
                "an enum struct must have exactly one member",
            )),
        }
    }
}

impl<'a> de::VariantAccess<'a> for StructVariant<'_, 'a> {
    type Error = Fault;

    fn unit_variant(self) -> Result<(), Fault> {
        de::Deserialize::deserialize(ValueDe::new(self.ev)).map(|de::IgnoredAny| ())?;
        self.finish()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value, Fault> {
        let value = seed.deserialize(ValueDe::new(self.ev))?;
        self.finish()?;
        Ok(value)
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Fault> {
        let value = de::Deserializer::deserialize_seq(ValueDe::new(self.ev), visitor)?;
        self.finish()?;
        Ok(value)
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Fault> {
        let value = de::Deserializer::deserialize_map(ValueDe::new(self.ev), visitor)?;
        self.finish()?;
        Ok(value)
    }
}
