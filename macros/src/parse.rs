//! Reading the trait into the IR, recording every mistake found on the way.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Pat, ReturnType, TraitItem, Type};

use crate::ast::{Method, Output, Param, Role, Service};
use crate::attr;
use crate::case::Case;
use crate::ctxt::Ctxt;
use crate::types;

/// The most parameters a method may take: `diglot::ParamList` is implemented
/// for tuples up to this length.
const MAX_PARAMS: usize = 16;

pub(crate) fn service(cx: &Ctxt, args: TokenStream, item: TokenStream) -> Option<Service> {
    let args = attr::trait_args(cx, args);
    let mut item = match syn::parse2::<syn::Item>(item) {
        Ok(syn::Item::Trait(item)) => item,
        Ok(other) => {
            cx.error_at(
                item_head(&other),
                "#[diglot::rpc] goes on a trait: the trait's methods become the service's methods",
            );
            return None;
        }
        Err(e) => {
            cx.syn_error(e);
            return None;
        }
    };
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        cx.error_at(&item.generics, "an RPC trait cannot be generic");
    }
    if let Some(unsafety) = &item.unsafety {
        cx.error_at(unsafety, "an RPC trait cannot be unsafe");
    }
    let namespace = args.namespace.as_ref().map(syn::LitStr::value);
    let separator = args
        .separator
        .as_ref()
        .map_or_else(|| ".".to_owned(), syn::LitStr::value);
    let mut methods = Vec::new();
    for trait_item in &mut item.items {
        match trait_item {
            TraitItem::Fn(f) => {
                if let Some(method) =
                    method(cx, f, namespace.as_deref(), &separator, args.rename_all)
                {
                    let unsubscribe = unsubscribe_method(&method);
                    methods.push(method);
                    methods.extend(unsubscribe);
                }
            }
            other => cx.error_at(
                &*other,
                "an RPC trait holds only methods; move associated items elsewhere",
            ),
        }
    }
    for trait_item in &mut item.items {
        if let TraitItem::Fn(f) = trait_item {
            desugar_async(f);
        }
    }
    // One service value serves concurrent calls from every transport. An
    // implementation that is not `Send + Sync` is told so, with a note that
    // points at the trait's name.
    let at_name = item.ident.span();
    item.supertraits
        .push(syn::parse_quote_spanned!(at_name=> ::core::marker::Send));
    item.supertraits
        .push(syn::parse_quote_spanned!(at_name=> ::core::marker::Sync));
    item.supertraits
        .push(syn::parse_quote_spanned!(at_name=> 'static));
    let krate = args.krate.unwrap_or_else(|| syn::parse_quote!(::diglot));
    // Neither switch, or both: the server and the client.
    let both = args.server == args.client;
    Some(Service {
        item,
        krate,
        namespace: args.namespace,
        separator,
        server: both || args.server,
        client: both || args.client,
        methods,
    })
}

/// The part of an item worth pointing at: its keyword and name.
fn item_head(item: &syn::Item) -> TokenStream {
    match item {
        syn::Item::Struct(s) => {
            let (kw, ident) = (&s.struct_token, &s.ident);
            quote!(#kw #ident)
        }
        syn::Item::Enum(e) => {
            let (kw, ident) = (&e.enum_token, &e.ident);
            quote!(#kw #ident)
        }
        syn::Item::Fn(f) => {
            let (kw, ident) = (&f.sig.fn_token, &f.sig.ident);
            quote!(#kw #ident)
        }
        syn::Item::Impl(i) => {
            let (kw, ty) = (&i.impl_token, &i.self_ty);
            quote!(#kw #ty)
        }
        other => quote!(#other),
    }
}

fn method(
    cx: &Ctxt,
    f: &mut syn::TraitItemFn,
    namespace: Option<&str>,
    separator: &str,
    rename_all: Option<Case>,
) -> Option<Method> {
    // Rust's name, renamed by `rename_all` when it is given.
    let renamed = |ident: &syn::Ident| {
        let name = ident.to_string();
        let name = name.trim_start_matches("r#");
        rename_all.map_or_else(|| name.to_owned(), |case| case.apply(name))
    };
    let args = attr::method_args(cx, &mut f.attrs);
    let has_body = f.default.is_some();
    let sig = &mut f.sig;
    let mut ok = true;
    let mut fail = |tokens: &dyn quote::ToTokens, message: &str| {
        cx.error_at(tokens.to_token_stream(), message);
        ok = false;
    };
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        fail(
            &sig.generics,
            "an RPC method cannot be generic: its parameter types must be known to decode them",
        );
    }
    if let Some(c) = &sig.constness {
        fail(c, "an RPC method cannot be const");
    }
    if let Some(u) = &sig.unsafety {
        fail(u, "an RPC method cannot be unsafe");
    }
    if let Some(abi) = &sig.abi {
        fail(abi, "an RPC method cannot have an ABI");
    }
    if let Some(v) = &sig.variadic {
        fail(v, "an RPC method cannot be variadic");
    }
    match sig.inputs.first() {
        Some(FnArg::Receiver(r))
            if r.reference.is_some() && r.mutability.is_none() && r.colon_token.is_none() => {}
        Some(FnArg::Receiver(r)) => fail(
            r,
            "an RPC method takes `&self`: one service value serves concurrent calls",
        ),
        _ => fail(
            &sig.ident,
            "an RPC method takes `&self` as its first parameter",
        ),
    }
    let mut params = Vec::new();
    let mut too_many = false;
    let mut context_at = None;
    // A rest parameter must be the last wire parameter.
    let last_typed = sig
        .inputs
        .iter()
        .rposition(|input| matches!(input, FnArg::Typed(pt) if types::context(&pt.ty).is_none()));
    for (position, input) in sig.inputs.iter_mut().enumerate() {
        let FnArg::Typed(pt) = input else { continue };
        let args = attr::param_args(cx, &mut pt.attrs);
        match types::context(&pt.ty) {
            None => {}
            Some(false) => {
                cx.error_at(
                    &*pt.ty,
                    "the context is shared by every call of a request: take `&Context`",
                );
                ok = false;
                continue;
            }
            Some(true) => {
                if args.name.is_some() || args.rest.is_some() {
                    cx.error_at(
                        &*pt.ty,
                        "the context is not a wire parameter: it takes no `#[rpc(name)]` or `#[rpc(rest)]`",
                    );
                    ok = false;
                } else if context_at.is_some() {
                    cx.error_at(&*pt.ty, "a method takes the context once");
                    ok = false;
                }
                context_at = Some(params.len());
                continue;
            }
        }
        let rest = match args.rest {
            None => None,
            Some(at) if Some(position) != last_typed => {
                cx.error_at(
                    quote::quote_spanned!(at=> rest),
                    "only the last parameter can be `rest`: it takes every parameter after the others",
                );
                ok = false;
                None
            }
            Some(_) => match types::vec_element(&pt.ty) {
                Some(element) => Some(element.clone()),
                None => {
                    cx.error_at(
                        &*pt.ty,
                        "a `rest` parameter collects the remaining parameters into a `Vec<T>`",
                    );
                    ok = false;
                    None
                }
            },
        };
        let rename = args.name;
        let ident = match &*pt.pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => pi.ident.clone(),
            other => {
                cx.error_at(other, "an RPC parameter must be a plain name");
                ok = false;
                if !has_body {
                    // rustc rejects patterns in a method without a body
                    // (E0642); `_` keeps the trait emitted beside the error
                    // from reporting the same mistake twice.
                    *pt.pat = syn::parse_quote_spanned!(other.span()=> _);
                }
                continue;
            }
        };
        if params.len() == MAX_PARAMS {
            if !too_many {
                cx.error_at(
                    &*pt,
                    format_args!("an RPC method takes at most {MAX_PARAMS} parameters"),
                );
                too_many = true;
            }
            ok = false;
            continue;
        }
        if let Type::ImplTrait(t) = &*pt.ty {
            cx.error_at(
                t,
                "an RPC parameter needs a concrete type, not `impl Trait`",
            );
            ok = false;
            continue;
        }
        let wire_name = rename.map(|l| l.value()).unwrap_or_else(|| renamed(&ident));
        params.push(Param {
            ident,
            wire_name,
            ty: (*pt.ty).clone(),
            rest,
        });
    }
    let output = match &sig.output {
        ReturnType::Default => Output::Unit,
        ReturnType::Type(_, ty) => output(cx, ty, &mut ok),
    };
    let base = args
        .name
        .as_ref()
        .map_or_else(|| renamed(&sig.ident), syn::LitStr::value);
    let name_span = args
        .name
        .as_ref()
        .map_or_else(|| sig.ident.span(), syn::LitStr::span);
    let in_namespace = |base: &str| match namespace {
        Some(ns) => format!("{ns}{separator}{base}"),
        None => base.to_owned(),
    };
    let wire_name = in_namespace(&base);
    let role = match (args.subscription, &args.unsubscribe) {
        (None, None) => Role::Call,
        (None, Some(lit)) => {
            cx.error_at(
                lit,
                "`unsubscribe` names the method that ends a subscription: mark this one `subscription` too",
            );
            ok = false;
            Role::Call
        }
        (Some(at), _) if params.iter().any(|p| p.rest.is_some()) => {
            cx.error_at(
                quote_spanned!(at=> subscription),
                "a subscription takes no `rest` parameter",
            );
            ok = false;
            Role::Call
        }
        (Some(at), unsubscribe) => match subscription_item(&output) {
            Some(item) => Role::Subscribe {
                unsubscribe: unsubscribe
                    .as_ref()
                    .map_or_else(|| in_namespace(&format!("un{base}")), syn::LitStr::value),
                item: Box::new(item),
            },
            None => {
                let blame = match &sig.output {
                    ReturnType::Type(_, ty) => quote!(#ty),
                    ReturnType::Default => quote_spanned!(at=> subscription),
                };
                cx.error_at(
                    blame,
                    "a subscription returns `diglot::Subscription<Item>`, or a `Result` of one",
                );
                ok = false;
                Role::Call
            }
        },
    };
    if !ok {
        return None;
    }
    Some(Method {
        ident: sig.ident.clone(),
        wire_name,
        name_span,
        docs: attr::docs(&f.attrs),
        is_async: sig.asyncness.is_some(),
        hidden: args.hidden,
        cfgs: f
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("cfg"))
            .cloned()
            .collect(),
        doc_attrs: f
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect(),
        lint_attrs: attr::lints(&f.attrs),
        params,
        context_at,
        output,
        role,
    })
}

/// The item type of a subscription's `Subscription<Item>`.
fn subscription_item(output: &Output) -> Option<syn::Type> {
    let (Output::Plain(ty) | Output::Result { ok: ty, .. }) = output else {
        return None;
    };
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match (
        last.ident == "Subscription",
        args.args.first(),
        args.args.len(),
    ) {
        (true, Some(syn::GenericArgument::Type(item)), 1) => Some(item.clone()),
        _ => None,
    }
}

/// The method that ends a subscription, served beside it: it takes the
/// subscription's id and answers whether the caller's connection had it.
fn unsubscribe_method(subscribe: &Method) -> Option<Method> {
    let Role::Subscribe { unsubscribe, .. } = &subscribe.role else {
        return None;
    };
    let span = subscribe.name_span;
    Some(Method {
        ident: subscribe.ident.clone(),
        wire_name: unsubscribe.clone(),
        name_span: span,
        docs: format!(
            "Ends a subscription of `{}`: `true` if this connection had it open.",
            subscribe.wire_name
        ),
        is_async: false,
        hidden: subscribe.hidden,
        cfgs: subscribe.cfgs.clone(),
        doc_attrs: Vec::new(),
        lint_attrs: Vec::new(),
        params: vec![Param {
            ident: syn::Ident::new("subscription", span),
            wire_name: "subscription".to_owned(),
            ty: syn::parse_quote!(u64),
            rest: None,
        }],
        context_at: None,
        output: Output::Plain(syn::parse_quote!(bool)),
        role: Role::Unsubscribe {
            subscribe: subscribe.wire_name.clone(),
        },
    })
}

/// Classifies a return type; `Result<T, E>` and `…::Result<T>` split into
/// success and error.
fn output(cx: &Ctxt, ty: &Type, ok: &mut bool) -> Output {
    if let Type::ImplTrait(t) = ty {
        cx.error_at(
            t,
            "an RPC method needs a concrete return type, not `impl Trait`",
        );
        *ok = false;
        return Output::Unit;
    }
    if let Type::Path(tp) = ty
        && let Some(last) = tp.path.segments.last()
        && last.ident == "Result"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
    {
        let mut types = args.args.iter().filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        });
        if let (Some(ok_ty), err_ty, None) = (types.next(), types.next(), types.next()) {
            return Output::Result {
                ok: ok_ty.clone(),
                err: err_ty.map(|t| Box::new(t.clone())),
                span: ty.span(),
            };
        }
    }
    Output::Plain(ty.clone())
}

/// `async fn m(&self) -> T` becomes `fn m(&self) -> impl Future<Output = T> + Send`,
/// so that the dispatcher can run the future on any thread. Implementations
/// still write `async fn`.
fn desugar_async(f: &mut syn::TraitItemFn) {
    let Some(asyncness) = f.sig.asyncness.take() else {
        return;
    };
    let span = asyncness.span();
    let output = match &f.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    f.sig.output = syn::parse_quote_spanned! {span=>
        -> impl ::core::future::Future<Output = #output> + ::core::marker::Send
    };
    if let Some(body) = &f.default {
        let stmts = &body.stmts;
        f.default = Some(syn::parse_quote_spanned! {span=> { async move { #(#stmts)* } } });
    }
}
