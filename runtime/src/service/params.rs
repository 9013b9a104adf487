//! Decoding a call's parameters straight into a method's Rust types, by
//! position (XML-RPC, JSON arrays) or by name (JSON objects).
//!
//! Each method's parameters decode as one tuple through [`ParamList`]. A
//! parameter left out decodes from nil when its type allows it (`Option`,
//! `()`, `Value`); otherwise it is a -32602 fault naming the parameter and
//! its type. So are a mistyped parameter, an unknown name, and a parameter
//! too many.
//!
//! A rest parameter ([`ParamInfo::rest`](super::ParamInfo::rest), always the
//! last) collects every remaining parameter by position; by name it is one
//! array under its own name, and left out it is empty.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::fault::Clipped;

use super::MethodInfo;
use crate::Fault;
use crate::{json, xml};

/// Where a call's parameters come from.
#[derive(Debug)]
pub enum ParamInput<'r, 'a> {
    /// An XML-RPC call positioned at its first parameter.
    Xml(&'r mut xml::MethodCall<'a>),
    /// A JSON-RPC request's `params`.
    Json(json::Params<'a>),
}

/// A tuple of parameter types that decodes from a [`ParamInput`].
///
/// Implemented for tuples of up to 16 elements whose types implement
/// `Deserialize`.
pub trait ParamList<'a>: Sized {
    /// Decodes every parameter and checks that none is left over.
    fn decode(input: ParamInput<'_, 'a>, method: &'static MethodInfo) -> Result<Self, Fault>;
}

fn describe(method: &MethodInfo, index: usize) -> String {
    match method.params.get(index) {
        Some(p) => format!("parameter `{}` of {} ({})", p.name, method.name, p.ty.rust),
        None => format!("parameter {} of {}", index + 1, method.name),
    }
}

/// -32602 for parameter `index`; `why` loses the prefix of an inner fault.
fn param_fault(method: &MethodInfo, index: usize, why: &str) -> Fault {
    let why = why.strip_prefix("invalid params: ").unwrap_or(why);
    Fault::invalid_params(format_args!("{}: {why}", describe(method, index)))
}

fn too_many(method: &MethodInfo) -> Fault {
    let n = method.params.len();
    Fault::invalid_params(format_args!(
        "{} takes {n} parameter{}; more were given",
        method.name,
        if n == 1 { "" } else { "s" }
    ))
}

/// A parameter that was not sent: nil if its type accepts nil.
fn absent<'a, T: Deserialize<'a>>(method: &MethodInfo, index: usize) -> Result<T, Fault> {
    T::deserialize(de::value::UnitDeserializer::<Fault>::new())
        .map_err(|_| param_fault(method, index, "missing"))
}

fn is_rest(method: &MethodInfo, index: usize) -> bool {
    method.params.get(index).is_some_and(|p| p.rest)
}

/// A rest parameter that was not sent: empty.
fn no_rest<'a, T: Deserialize<'a>>(method: &MethodInfo, index: usize) -> Result<T, Fault> {
    let empty = de::value::SeqDeserializer::<_, Fault>::new(std::iter::empty::<()>());
    T::deserialize(empty).map_err(|e| param_fault(method, index, &e.message))
}

fn xml_param<'a, T: Deserialize<'a>>(
    call: &mut xml::MethodCall<'a>,
    method: &MethodInfo,
    index: usize,
) -> Result<T, Fault> {
    if is_rest(method, index) {
        return call.params::<T>().map_err(|fault| {
            if fault.code == Fault::INVALID_PARAMS {
                param_fault(method, index, &fault.message)
            } else {
                fault
            }
        });
    }
    match call.next_param::<T>() {
        Ok(Some(value)) => Ok(value),
        Ok(None) => absent(method, index),
        Err(fault) if fault.code == Fault::INVALID_PARAMS => {
            Err(param_fault(method, index, &fault.message))
        }
        Err(fault) => Err(fault),
    }
}

fn xml_end(call: &mut xml::MethodCall<'_>, method: &MethodInfo) -> Result<(), Fault> {
    call.end().map_err(|fault| {
        if fault.code == Fault::INVALID_PARAMS {
            too_many(method)
        } else {
            fault
        }
    })
}

fn unknown_name(method: &MethodInfo, name: &str) -> Fault {
    Fault::invalid_params(format_args!(
        "{} has no parameter named {}",
        method.name,
        Clipped(name)
    ))
}

/// Runs a [`Params`] visitor over JSON params. An error is replaced by the
/// fault the visitor phrased, which names the parameter.
fn run_json<'a, V: Visitor<'a>>(
    params: json::Params<'a>,
    visitor: V,
    failure: &Cell<Option<Fault>>,
) -> Result<V::Value, Fault> {
    let text = params.json().unwrap_or("[]");
    let mut de = serde_json::Deserializer::from_str(text);
    let result = if params.is_by_name() {
        de.deserialize_map(visitor)
    } else {
        de.deserialize_seq(visitor)
    };
    result.map_err(|e| {
        failure
            .take()
            .unwrap_or_else(|| Fault::invalid_params(json::redact(&e)))
    })
}

/// Visits JSON params as a tuple `P`, by position or by name.
struct Params<'s, P> {
    method: &'static MethodInfo,
    failure: &'s Cell<Option<Fault>>,
    types: PhantomData<fn() -> P>,
}

impl<P> Params<'_, P> {
    /// Keeps `fault` for the caller and gives serde an error to unwind with.
    fn fail<E: de::Error>(&self, fault: Fault) -> E {
        let error = E::custom(&fault.message);
        self.failure.set(Some(fault));
        error
    }

    fn bad<E: de::Error, D: fmt::Display>(&self, index: usize, error: D) -> E {
        self.fail(param_fault(
            self.method,
            index,
            &json::redact_message(&error.to_string()),
        ))
    }
}

/// The elements of a JSON array from the current one on, as one sequence:
/// what a rest parameter decodes from.
struct RestOf<'s, S>(&'s mut S);

impl<'de, S: SeqAccess<'de>> Deserializer<'de> for RestOf<'_, S> {
    type Error = S::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, S::Error> {
        visitor.visit_seq(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'a, S: SeqAccess<'a>> SeqAccess<'a> for RestOf<'_, S> {
    type Error = S::Error;

    fn next_element_seed<T: de::DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, S::Error> {
        self.0.next_element_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// A parameter name, borrowed from the body when it holds no escapes.
struct Key<'a>(std::borrow::Cow<'a, str>);

impl<'a> Deserialize<'a> for Key<'a> {
    fn deserialize<D: Deserializer<'a>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'a> Visitor<'a> for KeyVisitor {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a parameter name")
            }
            fn visit_borrowed_str<E>(self, s: &'a str) -> Result<Key<'a>, E> {
                Ok(Key(s.into()))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'a>, E> {
                Ok(Key(s.to_owned().into()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

macro_rules! param_list {
    ($($T:ident $v:ident $i:tt),*) => {
        impl<'a, $($T: Deserialize<'a>),*> ParamList<'a> for ($($T,)*) {
            fn decode(input: ParamInput<'_, 'a>, method: &'static MethodInfo) -> Result<Self, Fault> {
                match input {
                    ParamInput::Xml(call) => {
                        $(let $v = xml_param::<$T>(call, method, $i)?;)*
                        xml_end(call, method)?;
                        Ok(($($v,)*))
                    }
                    ParamInput::Json(params) => {
                        let failure = Cell::new(None);
                        let visitor = Params::<Self> { method, failure: &failure, types: PhantomData };
                        run_json(params, visitor, &failure)
                    }
                }
            }
        }

        impl<'a, $($T: Deserialize<'a>),*> Visitor<'a> for Params<'_, ($($T,)*)> {
            type Value = ($($T,)*);

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "the parameters of {}", self.method.name)
            }

            #[allow(unused_mut)]
            fn visit_seq<Seq: SeqAccess<'a>>(self, mut seq: Seq) -> Result<Self::Value, Seq::Error> {
                $(let $v = match if is_rest(self.method, $i) {
                    $T::deserialize(RestOf(&mut seq)).map(Some)
                } else {
                    seq.next_element::<$T>()
                } {
                    Ok(Some(value)) => value,
                    Ok(None) => absent::<$T>(self.method, $i).map_err(|f| self.fail::<Seq::Error>(f))?,
                    Err(e) => return Err(self.bad($i, e)),
                };)*
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(self.fail(too_many(self.method)));
                }
                Ok(($($v,)*))
            }

            fn visit_map<Map: MapAccess<'a>>(self, mut map: Map) -> Result<Self::Value, Map::Error> {
                $(let mut $v: Option<$T> = None;)*
                while let Some(Key(name)) = map.next_key::<Key<'a>>()? {
                    let Some(index) = self.method.params.iter().position(|p| p.name == name) else {
                        return Err(self.fail(unknown_name(self.method, &name)));
                    };
                    match index {
                        $($i => {
                            if $v.is_some() {
                                return Err(self.fail(param_fault(self.method, $i, "given twice")));
                            }
                            $v = Some(map.next_value::<$T>().map_err(|e| self.bad::<Map::Error, _>($i, e))?);
                        })*
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                $(let $v = match $v {
                    Some(value) => value,
                    None if is_rest(self.method, $i) => {
                        no_rest::<$T>(self.method, $i).map_err(|f| self.fail::<Map::Error>(f))?
                    }
                    None => absent::<$T>(self.method, $i).map_err(|f| self.fail::<Map::Error>(f))?,
                };)*
                Ok(($($v,)*))
            }
        }
    };
}

param_list!();
param_list!(A a 0);
param_list!(A a 0, B b 1);
param_list!(A a 0, B b 1, C c 2);
param_list!(A a 0, B b 1, C c 2, D d 3);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9, K k 10);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9, K k 10, L l 11);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9, K k 10, L l 11, M m 12);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9, K k 10, L l 11, M m 12, N n 13);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9, K k 10, L l 11, M m 12, N n 13, O o 14);
param_list!(A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9, K k 10, L l 11, M m 12, N n 13, O o 14, P p 15);
