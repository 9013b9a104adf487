//! The `#[diglot::rpc]` attribute macro (arrives with the macro issue).
