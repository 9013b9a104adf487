//! What introspection says about a Rust type, judged from how it is spelled:
//! what stands when the type does not describe itself (see the runtime's
//! `__private::Probe`).
//!
//! The macro sees tokens, not resolved types, so the mapping follows the last
//! path segment: `i32` is `int`, `Vec<…>` is `array`, `Option<T>` is `T`'s
//! type, and a name it does not know (a user's struct) is `struct`.

use quote::ToTokens;
use syn::Type;

/// XML-RPC type name and JSON Schema text for a type.
pub(crate) struct Described {
    pub(crate) xml: &'static str,
    pub(crate) schema: String,
}

fn simple(xml: &'static str, schema: &str) -> Described {
    Described {
        xml,
        schema: schema.to_owned(),
    }
}

/// The first generic type argument of a path segment.
fn first_arg(segment: &syn::PathSegment) -> Option<&Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// Whether a parameter of this type is the call's context: `&Context`
/// (or `&…::Context`), by its spelling. `Some(false)` for `&mut Context`.
pub(crate) fn context(ty: &Type) -> Option<bool> {
    let Type::Reference(r) = ty else {
        return None;
    };
    let Type::Path(p) = &*r.elem else {
        return None;
    };
    let last = p.path.segments.last()?;
    let is = p.qself.is_none() && last.ident == "Context" && last.arguments.is_none();
    is.then_some(r.mutability.is_none())
}

/// `T` of a type spelled `Vec<T>` (or `…::Vec<T>`).
pub(crate) fn vec_element(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            (last.ident == "Vec").then(|| first_arg(last)).flatten()
        }
        Type::Paren(p) => vec_element(&p.elem),
        Type::Group(g) => vec_element(&g.elem),
        _ => None,
    }
}

pub(crate) fn describe(ty: &Type) -> Described {
    match ty {
        Type::Reference(r) => describe(&r.elem),
        Type::Paren(p) => describe(&p.elem),
        Type::Group(g) => describe(&g.elem),
        Type::Tuple(t) if t.elems.is_empty() => simple("nil", r#"{"type":"null"}"#),
        Type::Tuple(_) => simple("array", r#"{"type":"array"}"#),
        Type::Array(syn::TypeArray { elem, .. }) | Type::Slice(syn::TypeSlice { elem, .. }) => {
            array_of(elem)
        }
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return simple("struct", r#"{"type":"object"}"#);
            };
            let name = last.ident.to_string();
            match name.as_str() {
                "i8" | "i16" | "i32" | "u8" | "u16" => {
                    simple("int", r#"{"type":"integer","format":"int32"}"#)
                }
                "i64" | "u32" | "u64" | "isize" | "usize" | "i128" | "u128" => {
                    simple("i8", r#"{"type":"integer","format":"int64"}"#)
                }
                "f32" | "f64" => simple("double", r#"{"type":"number"}"#),
                "bool" => simple("boolean", r#"{"type":"boolean"}"#),
                "String" | "str" | "char" | "Cow" | "PathBuf" => {
                    simple("string", r#"{"type":"string"}"#)
                }
                "DateTime" => simple(
                    "dateTime.iso8601",
                    r#"{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$","x-xmlrpc":"dateTime.iso8601"}"#,
                ),
                "Bytes" | "ByteBuf" => simple(
                    "base64",
                    r#"{"type":"string","contentEncoding":"base64","x-xmlrpc":"base64"}"#,
                ),
                "Value" => simple("any", "{}"),
                "Option" | "Box" | "Arc" | "Rc" => match first_arg(last) {
                    Some(inner) => describe(inner),
                    None => simple("any", "{}"),
                },
                "Vec" | "VecDeque" | "HashSet" | "BTreeSet" | "IndexSet" | "LinkedList" => {
                    match first_arg(last) {
                        Some(inner) => array_of(inner),
                        None => simple("array", r#"{"type":"array"}"#),
                    }
                }
                "HashMap" | "BTreeMap" | "IndexMap" | "Struct" | "Map" => {
                    simple("struct", r#"{"type":"object"}"#)
                }
                _ => simple("struct", r#"{"type":"object"}"#),
            }
        }
        _ => simple("any", "{}"),
    }
}

fn array_of(elem: &Type) -> Described {
    let inner = describe(elem);
    Described {
        xml: "array",
        schema: format!(r#"{{"type":"array","items":{}}}"#, inner.schema),
    }
}

/// Whether a type is spelled `Option<…>`: such a parameter may be left out.
pub(crate) fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// The type as the user wrote it, without the spaces tokens put in.
pub(crate) fn spelled(ty: &Type) -> String {
    let text = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.peek().copied();
            let glue = matches!(prev, Some('<' | '&' | ':' | '(' | '['))
                || matches!(next, Some('<' | '>' | ',' | ':' | ')' | ']'));
            if glue {
                continue;
            }
        }
        out.push(c);
    }
    out
}
