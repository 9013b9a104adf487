//! An XML-RPC request body through the dispatcher.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    diglot_fuzz::dispatch(data, diglot::Protocol::XmlRpc);
});
