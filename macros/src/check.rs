//! Rules that span several methods: unique wire names, reserved prefixes.

use std::collections::HashMap;

use crate::ast::Service;
use crate::ctxt::Ctxt;

pub(crate) fn service(cx: &Ctxt, service: &Service) {
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for method in &service.methods {
        let name = method.wire_name.as_str();
        if name.starts_with("system.") || name.starts_with("rpc.") {
            cx.syn_error(syn::Error::new(
                method.name_span,
                format!("`{name}`: names starting with `system.` or `rpc.` are reserved for diglot's built-in methods"),
            ));
        }
        if let Some(first) = seen.insert(name, &method.ident) {
            cx.syn_error(syn::Error::new(
                method.name_span,
                format!("`{name}` is already the name of method `{first}`; rename one with #[rpc(name = \"…\")]"),
            ));
        }
    }
}
