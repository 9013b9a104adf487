//! The guide's pages and the doc tests that compile them stay in step:
//! every page the book lists that holds a `rust` block is included in
//! `tests/lib.rs`, so `cargo test -p diglot-tests --doc` runs its code.

use std::path::Path;

#[test]
fn every_page_with_rust_code_is_compiled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let summary = std::fs::read_to_string(root.join("book/src/SUMMARY.md")).unwrap();
    let compiled = std::fs::read_to_string(root.join("tests/lib.rs")).unwrap();
    let pages = summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|page| page.ends_with(".md"));
    let mut missing = Vec::new();
    let mut seen = 0;
    for page in pages {
        seen += 1;
        let text = std::fs::read_to_string(root.join("book/src").join(page))
            .unwrap_or_else(|e| panic!("SUMMARY.md lists {page}: {e}"));
        let has_rust = text.lines().any(|l| l.starts_with("```rust"));
        let included = compiled.contains(&format!("include_str!(\"../book/src/{page}\")"));
        if has_rust && !included {
            missing.push(page.to_owned());
        }
    }
    assert!(seen > 20, "SUMMARY.md lists only {seen} pages");
    assert!(
        missing.is_empty(),
        "pages with rust blocks that tests/lib.rs does not compile: {missing:?}"
    );
}
