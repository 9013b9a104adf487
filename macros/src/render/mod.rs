//! Emitting the code: the trait as rewritten, the server, the client.

mod client;
mod server;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::ast::{Method, Service};

/// Everything `#[diglot::rpc]` generates.
pub(crate) fn service(service: &Service) -> TokenStream {
    let item = &service.item;
    let server = service.server.then(|| server::render(service));
    let client = service.client.then(|| client::render(service));
    quote! {
        #item
        #server
        #client
    }
}

/// The trait alone, emitted beside compile errors so that the rest of the
/// user's crate (and their IDE) still sees it.
pub(crate) fn trait_only(service: &Service) -> TokenStream {
    let item = &service.item;
    quote!(#item)
}

/// A name derived from the trait's: `Calculator` → `CalculatorService`.
fn derived(service: &Service, suffix: &str) -> Ident {
    format_ident!("{}{}", service.item.ident, suffix)
}

/// `#[cfg(...)]` attributes of a method, to repeat on what is generated for it.
fn cfgs(method: &Method) -> TokenStream {
    let cfgs = &method.cfgs;
    quote!(#(#cfgs)*)
}
