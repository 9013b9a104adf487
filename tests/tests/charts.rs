//! The performance chapter's charts are drawn from benchmark output by the
//! scripts in `examples/charts/`, not by hand: each chart in
//! `book/src/charts/` is drawn again from the rounds file beside it, and
//! must come out byte for byte the same.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use diglot_tests::process::{NO_PYTHON, run};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// Draws `chart` from `rounds` with `script` and compares it with the file
/// the book shows.
#[track_caller]
fn redraws(script: &str, rounds: &str, chart: &str) {
    let root = repository();
    let charts = root.join("book/src/charts");
    let drawn = std::env::temp_dir().join(format!("diglot-{}-{chart}", std::process::id()));
    let mut command = Command::new("python3");
    command
        .arg(root.join("examples/charts").join(script))
        .arg(charts.join(rounds))
        .arg(&drawn);
    let ran = run(command, None, Duration::from_secs(30), NO_PYTHON);
    assert!(ran.status.success(), "{script}: {}", ran.stderr);
    let fresh = std::fs::read_to_string(&drawn).expect("the script wrote the chart");
    let _ = std::fs::remove_file(&drawn);
    let shown = std::fs::read_to_string(charts.join(chart)).expect("the book's chart");
    assert!(
        fresh == shown,
        "book/src/charts/{chart} is not what {script} draws from {rounds}; \
         run `python3 examples/charts/{script} book/src/charts/{rounds} book/src/charts/{chart}`"
    );
}

#[test]
fn the_throughput_chart_is_drawn_from_the_http_rounds() {
    redraws("http_rounds.py", "http-rounds.txt", "http.svg");
}

#[test]
fn the_latency_chart_is_drawn_from_the_shared_memory_benchmark() {
    redraws("latency.py", "shm-rounds.txt", "latency.svg");
}
