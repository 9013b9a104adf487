//! The IR of a service: what `parse` reads and `render` writes from.

use proc_macro2::Span;

/// A trait marked `#[diglot::rpc]`.
pub(crate) struct Service {
    /// The trait as written, with diglot's helper attributes removed.
    pub(crate) item: syn::ItemTrait,
    /// The path through which generated code reaches diglot.
    pub(crate) krate: syn::Path,
    pub(crate) methods: Vec<Method>,
}

/// One method of the trait.
pub(crate) struct Method {
    pub(crate) ident: syn::Ident,
    /// The name on the wire, namespace included.
    pub(crate) wire_name: String,
    /// Where the wire name came from, for errors about it.
    pub(crate) name_span: Span,
    pub(crate) docs: String,
    pub(crate) is_async: bool,
    pub(crate) hidden: bool,
    /// `#[cfg]` attributes, repeated on everything generated for the method.
    pub(crate) cfgs: Vec<syn::Attribute>,
    /// The method's doc attributes, repeated on the client method.
    pub(crate) doc_attrs: Vec<syn::Attribute>,
    pub(crate) params: Vec<Param>,
    pub(crate) output: Output,
}

/// One parameter.
pub(crate) struct Param {
    pub(crate) ident: syn::Ident,
    /// The name used when parameters are passed by name.
    pub(crate) wire_name: String,
    pub(crate) ty: syn::Type,
}

/// What a method returns.
pub(crate) enum Output {
    /// No return type: `()`.
    Unit,
    /// A plain value.
    Plain(syn::Type),
    /// `Result<T, E>` (or an alias spelled `…Result<T>`): success type and,
    /// when written, error type.
    Result(syn::Type, Option<syn::Type>),
}

impl Output {
    /// The type a successful call produces.
    pub(crate) fn success_type(&self) -> syn::Type {
        match self {
            Output::Unit => syn::parse_quote!(()),
            Output::Plain(ty) | Output::Result(ty, _) => ty.clone(),
        }
    }
}
