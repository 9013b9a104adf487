//! The `#[diglot::rpc]` attribute macro.
//!
//! Work happens in three stages, each in its own module: `parse` reads the
//! trait and its attributes into an IR (`ast`), `check` applies the
//! rules that span several items, and `render` emits the code. Errors are
//! collected in a `ctxt::Ctxt` and reported together, beside the original
//! trait so that the user's IDE keeps working.

mod ast;
mod attr;
mod case;
mod check;
mod ctxt;
mod parse;
mod render;
mod types;

use proc_macro::TokenStream;

/// Turns a trait into an RPC service.
///
/// See the `diglot` crate for the full documentation; in short:
///
/// ```text
/// #[diglot::rpc(namespace = "calc")]
/// pub trait Calculator {
///     /// Adds two integers.
///     fn add(&self, a: i32, b: i32) -> i32;
/// }
/// ```
///
/// generates `CalculatorService<T>` (a `diglot::Service`), `CalculatorClient<C>`
/// (a typed client over any `diglot::Connection`), and the metadata that
/// introspection serves.
#[proc_macro_attribute]
pub fn rpc(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into()).into()
}

fn expand(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let cx = ctxt::Ctxt::new();
    let Some(service) = parse::service(&cx, args, item.clone()) else {
        // Not even a trait: give the item back untouched beside the errors.
        let errors = cx.finish();
        return quote::quote!(#item #errors);
    };
    check::service(&cx, &service);
    if cx.has_errors() {
        let errors = cx.finish();
        let fallback = render::trait_only(&service);
        return quote::quote!(#fallback #errors);
    }
    let _ = cx.finish();
    render::service(&service)
}
