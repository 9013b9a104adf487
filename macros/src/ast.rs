//! The IR of a service: what `parse` reads and `render` writes from.

use proc_macro2::Span;

/// A trait marked `#[diglot::rpc]`.
pub(crate) struct Service {
    /// The trait as written, with diglot's helper attributes removed.
    pub(crate) item: syn::ItemTrait,
    /// The path through which generated code reaches diglot.
    pub(crate) krate: syn::Path,
    /// `namespace = "…"`, for errors about it.
    pub(crate) namespace: Option<syn::LitStr>,
    /// What joins the namespace to each method's name.
    pub(crate) separator: String,
    /// Whether to generate the service type and the typed client.
    pub(crate) server: bool,
    pub(crate) client: bool,
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
    /// Its lint attributes, repeated on the client method.
    pub(crate) lint_attrs: Vec<syn::Attribute>,
    /// The wire parameters, in order.
    pub(crate) params: Vec<Param>,
    /// Where a `&Context` parameter sits: before the wire parameter with
    /// this index (or after them all, at `params.len()`).
    pub(crate) context_at: Option<usize>,
    pub(crate) output: Output,
    pub(crate) role: Role,
}

/// Whether a method answers once, starts a subscription or ends one.
pub(crate) enum Role {
    Call,
    /// `#[rpc(subscription)]`: the method returns `Subscription<item>`.
    Subscribe {
        /// The wire name of the method that ends it.
        unsubscribe: String,
        item: Box<syn::Type>,
    },
    /// Generated beside a subscription: takes its id, answers a `bool`.
    Unsubscribe {
        /// The wire name of the subscription it ends.
        subscribe: String,
    },
}

/// One parameter.
pub(crate) struct Param {
    pub(crate) ident: syn::Ident,
    /// The name used when parameters are passed by name.
    pub(crate) wire_name: String,
    pub(crate) ty: syn::Type,
    /// For a rest parameter (`#[rpc(rest)] values: Vec<T>`, always the
    /// last): its element type `T`.
    pub(crate) rest: Option<syn::Type>,
}

impl Method {
    /// The parameters before a rest parameter, and the rest parameter.
    pub(crate) fn split_rest(&self) -> (&[Param], Option<&Param>) {
        match self.params.split_last() {
            Some((last, fixed)) if last.rest.is_some() => (fixed, Some(last)),
            _ => (&self.params, None),
        }
    }
}

/// What a method returns.
pub(crate) enum Output {
    /// No return type: `()`.
    Unit,
    /// A plain value.
    Plain(syn::Type),
    /// `Result<T, E>` (or an alias spelled `…Result<T>`).
    Result {
        /// The success type `T`.
        ok: syn::Type,
        /// The error type, when written.
        err: Option<Box<syn::Type>>,
        /// Where the return type starts, to blame an alias's error type.
        span: Span,
    },
}

impl Output {
    /// The type a successful call produces.
    pub(crate) fn success_type(&self) -> syn::Type {
        match self {
            Output::Unit => syn::parse_quote!(()),
            Output::Plain(ty) | Output::Result { ok: ty, .. } => ty.clone(),
        }
    }
}
