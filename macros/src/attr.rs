//! `#[rpc(...)]` arguments on the trait, its methods and their parameters.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{Attribute, LitStr};

use crate::case::Case;
use crate::ctxt::Ctxt;

/// Arguments of `#[diglot::rpc(...)]` on the trait.
#[derive(Default)]
pub(crate) struct TraitArgs {
    pub(crate) namespace: Option<LitStr>,
    pub(crate) separator: Option<LitStr>,
    pub(crate) krate: Option<syn::Path>,
    pub(crate) rename_all: Option<Case>,
    /// `server`: generate the service type (alone, unless `client` too).
    pub(crate) server: bool,
    /// `client`: generate the typed client (alone, unless `server` too).
    pub(crate) client: bool,
}

/// Sets a flag argument, refusing it twice.
fn flag(slot: &mut bool, meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if *slot {
        return Err(meta.error("this argument is given twice"));
    }
    *slot = true;
    Ok(())
}

/// Arguments of `#[rpc(...)]` on a method.
#[derive(Default)]
pub(crate) struct MethodArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) hidden: bool,
    /// `subscription`, where it was written.
    pub(crate) subscription: Option<proc_macro2::Span>,
    /// `unsubscribe = "…"`: the wire name of the method that ends it.
    pub(crate) unsubscribe: Option<LitStr>,
}

fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    meta: &syn::meta::ParseNestedMeta<'_>,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error("this argument is given twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// A string argument that must not be empty or hold whitespace.
fn name_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    let lit: LitStr = meta.value()?.parse()?;
    let text = lit.value();
    if text.is_empty() || text.chars().any(char::is_whitespace) {
        return Err(syn::Error::new(
            lit.span(),
            "expected a name without spaces",
        ));
    }
    Ok(lit)
}

pub(crate) fn trait_args(cx: &Ctxt, tokens: TokenStream) -> TraitArgs {
    let mut args = TraitArgs::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("namespace") {
            let lit = name_value(&meta)?;
            set_once(&mut args.namespace, lit, &meta)
        } else if meta.path.is_ident("separator") {
            let lit: LitStr = meta.value()?.parse()?;
            if lit.value().is_empty() {
                return Err(syn::Error::new(
                    lit.span(),
                    "the separator must not be empty",
                ));
            }
            set_once(&mut args.separator, lit, &meta)
        } else if meta.path.is_ident("crate") {
            let lit: LitStr = meta.value()?.parse()?;
            let path = lit.parse::<syn::Path>()?;
            set_once(&mut args.krate, path, &meta)
        } else if meta.path.is_ident("rename_all") {
            let lit: LitStr = meta.value()?.parse()?;
            let case = Case::parse(&lit.value()).ok_or_else(|| {
                let names: Vec<String> = Case::NAMES
                    .iter()
                    .map(|(n, _)| format!("\"{n}\""))
                    .collect();
                syn::Error::new(
                    lit.span(),
                    format!("unknown case; expected one of {}", names.join(", ")),
                )
            })?;
            set_once(&mut args.rename_all, case, &meta)
        } else if meta.path.is_ident("server") {
            flag(&mut args.server, &meta)
        } else if meta.path.is_ident("client") {
            flag(&mut args.client, &meta)
        } else {
            Err(meta.error(
                "unknown argument; expected `namespace = \"…\"`, `separator = \"…\"`, \
                 `rename_all = \"…\"`, `server`, `client` or `crate = \"…\"`",
            ))
        }
    });
    if let Err(e) = parser.parse2(tokens) {
        cx.syn_error(e);
    }
    args
}

fn is_rpc(attr: &Attribute) -> bool {
    attr.path().is_ident("rpc")
}

/// Reads and removes the `#[rpc(...)]` attributes of a method.
pub(crate) fn method_args(cx: &Ctxt, attrs: &mut Vec<Attribute>) -> MethodArgs {
    let mut args = MethodArgs::default();
    for attr in take_rpc(attrs) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let lit = name_value(&meta)?;
                set_once(&mut args.name, lit, &meta)
            } else if meta.path.is_ident("hidden") {
                flag(&mut args.hidden, &meta)
            } else if meta.path.is_ident("subscription") {
                let span = meta.path.get_ident().map(syn::Ident::span);
                set_once(
                    &mut args.subscription,
                    span.unwrap_or_else(proc_macro2::Span::call_site),
                    &meta,
                )
            } else if meta.path.is_ident("unsubscribe") {
                let lit = name_value(&meta)?;
                set_once(&mut args.unsubscribe, lit, &meta)
            } else {
                Err(meta.error(
                    "unknown argument; expected `name = \"…\"`, `hidden`, `subscription` or \
                     `unsubscribe = \"…\"`",
                ))
            }
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    args
}

/// Arguments of `#[rpc(...)]` on a parameter.
#[derive(Default)]
pub(crate) struct ParamArgs {
    pub(crate) name: Option<LitStr>,
    /// `rest`, where it was written.
    pub(crate) rest: Option<proc_macro2::Span>,
}

/// Reads and removes the `#[rpc(...)]` attributes of a parameter.
pub(crate) fn param_args(cx: &Ctxt, attrs: &mut Vec<Attribute>) -> ParamArgs {
    let mut args = ParamArgs::default();
    for attr in take_rpc(attrs) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let lit = name_value(&meta)?;
                set_once(&mut args.name, lit, &meta)
            } else if meta.path.is_ident("rest") {
                let span = meta.path.get_ident().map(syn::Ident::span);
                set_once(
                    &mut args.rest,
                    span.unwrap_or_else(proc_macro2::Span::call_site),
                    &meta,
                )
            } else {
                Err(meta.error("unknown argument; expected `name = \"…\"` or `rest`"))
            }
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    args
}

fn take_rpc(attrs: &mut Vec<Attribute>) -> Vec<Attribute> {
    let (rpc, rest): (Vec<_>, Vec<_>) = std::mem::take(attrs).into_iter().partition(is_rpc);
    *attrs = rest;
    rpc
}

/// The lint attributes among `attrs` (`allow`, `expect`, `warn`, `deny`,
/// `forbid`), to repeat on what is generated from a method; `expect`
/// becomes `allow`, since the generated code may not trip the lint.
pub(crate) fn lints(attrs: &[Attribute]) -> Vec<Attribute> {
    let levels = ["allow", "expect", "warn", "deny", "forbid"];
    attrs
        .iter()
        .filter(|a| levels.iter().any(|l| a.path().is_ident(l)))
        .map(|a| {
            let mut a = a.clone();
            if a.path().is_ident("expect")
                && let syn::Meta::List(list) = &mut a.meta
            {
                list.path = syn::Ident::new("allow", list.path.segments[0].ident.span()).into();
            }
            a
        })
        .collect()
}

/// The text of the doc comments among `attrs`, one line each.
pub(crate) fn docs(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            let line = s.value();
            lines.push(
                line.strip_prefix(' ')
                    .unwrap_or(&line)
                    .trim_end()
                    .to_owned(),
            );
        }
    }
    lines.join("\n").trim().to_owned()
}
