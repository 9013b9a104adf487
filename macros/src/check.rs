//! Rules that span several methods: unique wire names, reserved prefixes.

use std::collections::HashMap;

use crate::ast::Service;
use crate::ctxt::Ctxt;

/// Prefixes of diglot's built-in methods (`system.listMethods`, `rpc.discover`).
const RESERVED: [&str; 2] = ["system.", "rpc."];

fn is_reserved(name: &str) -> bool {
    RESERVED.iter().any(|prefix| name.starts_with(prefix))
}

pub(crate) fn service(cx: &Ctxt, service: &Service) {
    // A reserved namespace is one mistake, not one per method.
    let namespace_reserved = service.namespace.as_ref().is_some_and(|ns| {
        let prefix = format!("{}{}", ns.value(), service.separator);
        let reserved = is_reserved(&prefix);
        if reserved {
            cx.error_at(
                ns,
                format!(
                    "namespace `{}` puts every method under `{prefix}`, \
                     which is reserved for diglot's built-in methods",
                    ns.value()
                ),
            );
        }
        reserved
    });
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for method in &service.methods {
        let name = method.wire_name.as_str();
        if !namespace_reserved && is_reserved(name) {
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
