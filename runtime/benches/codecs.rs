//! Codec benchmarks (written with the foundation issue).
fn main() {}
