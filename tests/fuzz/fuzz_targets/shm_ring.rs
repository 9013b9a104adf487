//! A shared-memory server reading a ring whose indices, chunk headers and
//! bytes a hostile client wrote.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    diglot_transports::fuzzing::shm_ring(data);
});
