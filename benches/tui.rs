//! The wizard's responsiveness, printed as figures: time to first frame and time to handle a key
//! and redraw (in-process, on ratatui's test backend), then the real binary in tmux: time until
//! its first screen shows, memory, and CPU used while idle for a few seconds.
//!
//! Run: `cargo bench --bench tui` (needs tmux for the second part).

use std::process::Command;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use launchready::assessment::Store;
use launchready::checklist::Catalog;
use launchready::tui::app::App;
use launchready::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    let data = tempfile::tempdir().unwrap();
    in_process(data.path());
    real_terminal(data.path());
}

fn in_process(data: &std::path::Path) {
    let started = Instant::now();
    let mut app = App::new(Catalog::builtin().unwrap(), Store::new(data.to_path_buf()));
    let theme = Theme::new(true);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|f| launchready::tui::ui::render(&app, &theme, f))
        .unwrap();
    let first = started.elapsed();

    // Walk to the questions screen, then time answer-and-redraw cycles.
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Enter));
    for c in "Bench Bot".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    while app.product.focus != app.product.fields.len() + 1 {
        app.on_key(key(KeyCode::Tab));
    }
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Enter));
    let rounds = 400u32;
    let started = Instant::now();
    for i in 0..rounds {
        let code = if i % 2 == 0 { KeyCode::Right } else { KeyCode::Left };
        app.on_key(key(code));
        terminal
            .draw(|f| launchready::tui::ui::render(&app, &theme, f))
            .unwrap();
    }
    let per_key = started.elapsed() / rounds;
    println!("in-process, 120x40 test backend");
    println!(
        "  first frame (load checklists, build state, draw): {:>8.2} ms",
        first.as_secs_f64() * 1000.0
    );
    println!(
        "  handle a key and redraw (questions screen):       {:>8.3} ms",
        per_key.as_secs_f64() * 1000.0
    );
}

fn real_terminal(data: &std::path::Path) {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("real terminal: skipped (tmux not installed)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_launchready");
    let session = format!("lr-bench-{}", std::process::id());
    let command = format!("env LAUNCHREADY_DATA_DIR={} {bin}", data.display());
    let started = Instant::now();
    Command::new("tmux")
        .args(["new-session", "-d", "-s", &session, "-x", "120", "-y", "40", &command])
        .status()
        .unwrap();
    let screen = || {
        String::from_utf8_lossy(
            &Command::new("tmux")
                .args(["capture-pane", "-p", "-t", &session])
                .output()
                .unwrap()
                .stdout,
        )
        .into_owned()
    };
    while !screen().contains("New assessment") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the wizard did not show its first screen"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let first_screen = started.elapsed();
    let pid = String::from_utf8_lossy(
        &Command::new("tmux")
            .args(["display", "-p", "-t", &session, "#{pane_pid}"])
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .to_string();
    let ticks = || -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let after = stat.rsplit(')').next().unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
            + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
    };
    let idle = Duration::from_secs(3);
    let before = ticks();
    std::thread::sleep(idle);
    let used = ticks() - before;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("?")
        .to_string();
    let _ = Command::new("tmux").args(["kill-session", "-t", &session]).status();
    // Clock ticks are 1/100 s on Linux.
    let cpu_percent = f64::from(u32::try_from(used).unwrap_or(u32::MAX)) / 100.0 / idle.as_secs_f64() * 100.0;
    println!("real binary in tmux, 120x40");
    println!(
        "  time until the first screen shows:                {:>8.1} ms",
        first_screen.as_secs_f64() * 1000.0
    );
    println!("  resident memory on the start screen:              {rss:>8} kB");
    println!(
        "  CPU while idle for {} s:                           {cpu_percent:>8.2} % ({used} ticks)",
        idle.as_secs()
    );
}
