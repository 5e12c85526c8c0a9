//! Rendering a full assessment's report: every format in-process (PDF shown separately), and
//! the whole `launchready report` process, against baselines measured in the same run (in
//! process: serialising the assessment to JSON, what every autosave does; as a process:
//! `launchready checklists list`).
//!
//! Run: `cargo bench --bench report`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use launchready::assessment::Store;
use launchready::checklist::Catalog;
use launchready::report::{self, Format, model};

const RUNS: usize = 20;
const PROCESS_RUNS: usize = 5;

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let catalog = Catalog::builtin().unwrap();
    let checklist = catalog.require("ecommerce").unwrap();
    let assessment = common::reports::fixture(checklist);
    let report = model::build(checklist, &assessment, &model::Options::default());

    // The PDF's first render loads fonts and the typst library once per process.
    let first_pdf = {
        let start = Instant::now();
        report::render(Format::Pdf, &report, None).unwrap();
        start.elapsed()
    };
    let baseline = median(RUNS, || {
        std::hint::black_box(serde_json::to_vec(&assessment).unwrap());
    });
    let build = median(RUNS, || {
        std::hint::black_box(model::build(checklist, &assessment, &model::Options::default()));
    });
    println!(
        "in-process, {} items, {} checks, median of {RUNS}:",
        checklist.items.len(),
        assessment.probes.len()
    );
    println!("  baseline: assessment to JSON     {:>8.2} ms", ms(baseline));
    println!(
        "  report model                     {:>8.2} ms  ({:.1}× baseline)",
        ms(build),
        ms(build) / ms(baseline)
    );
    let mut text_total = Duration::ZERO;
    for format in [Format::Markdown, Format::Json, Format::Sarif] {
        let t = median(RUNS, || {
            std::hint::black_box(report::render(format, &report, None).unwrap());
        });
        text_total += t;
        println!(
            "  {:<32} {:>8.2} ms  ({:.1}× baseline)",
            format.word(),
            ms(t),
            ms(t) / ms(baseline)
        );
    }
    let pdf = median(RUNS, || {
        std::hint::black_box(report::render(Format::Pdf, &report, None).unwrap());
    });
    println!(
        "  md + json + sarif with the model {:>8.2} ms  ({:.1}× baseline)",
        ms(text_total + build),
        ms(text_total + build) / ms(baseline)
    );
    println!(
        "  pdf, warm                        {:>8.2} ms  ({:.1}× baseline); first in a process {:.1} ms",
        ms(pdf),
        ms(pdf) / ms(baseline),
        ms(first_pdf)
    );

    // Whole processes: `launchready report` on the saved assessment.
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = data.path().join("acme.json");
    Store::save(&assessment, &path).unwrap();
    let exe = env!("CARGO_BIN_EXE_launchready");
    let run = |args: &[&str]| {
        let o = Command::new(exe).args(args).env("NO_COLOR", "1").output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let base = median(PROCESS_RUNS, || run(&["checklists", "list"]));
    let out_dir = out.path().to_str().unwrap();
    let a = path.to_str().unwrap();
    let text = median(PROCESS_RUNS, || {
        run(&["report", a, "--out", out_dir, "--format", "md,json,sarif"]);
    });
    let with_pdf = median(PROCESS_RUNS, || {
        run(&["report", a, "--out", out_dir, "--format", "pdf"]);
    });
    let all = median(PROCESS_RUNS, || {
        run(&["report", a, "--out", out_dir, "--format", "md,pdf,json,sarif"]);
    });
    println!("whole process, median of {PROCESS_RUNS}:");
    println!("  baseline: checklists list        {:>8.1} ms", ms(base));
    println!(
        "  report md,json,sarif             {:>8.1} ms  ({:.1}× baseline)",
        ms(text),
        ms(text) / ms(base)
    );
    println!(
        "  report pdf                       {:>8.1} ms  ({:.1}× baseline)",
        ms(with_pdf),
        ms(with_pdf) / ms(base)
    );
    println!(
        "  report md,pdf,json,sarif         {:>8.1} ms  ({:.1}× baseline)",
        ms(all),
        ms(all) / ms(base)
    );
}
