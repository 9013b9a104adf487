//! A JSON-RPC request body (single, batch, notifications) through the
//! dispatcher.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    diglot_fuzz::dispatch(data, diglot::Protocol::JsonRpc);
});
