//! Compile-time tests of `#[diglot::rpc]`: traits it must accept
//! (`tests/ui/pass`) and misuses it must reject with an error at the
//! user's code (`tests/ui/fail`, each with its `.stderr` snapshot).
//!
//! Regenerate the snapshots with
//! `TRYBUILD=overwrite cargo test -p diglot-tests --test ui`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
