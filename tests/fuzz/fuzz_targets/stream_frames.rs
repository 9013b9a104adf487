//! Bytes of a stream connection: framing detection and frame cutting,
//! delivered in pieces of every size.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    diglot_transports::fuzzing::stream_frames(data);
});
