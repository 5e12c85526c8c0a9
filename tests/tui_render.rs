//! Rendering tests of the wizard: every screen and overlay drawn on ratatui's `TestBackend` at
//! 80×24 and 160×48 and compared with `insta` snapshots of the text a person sees, plus long
//! texts that must wrap rather than run off the screen, and the plain theme for `NO_COLOR`.
//!
//! States are reached the way a user reaches them: key events on `App`, probe results through
//! `App::on_probe`. The clock and the probe timestamps are fixed so the snapshots are stable,
//! and the temporary store folder is redacted.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use tempfile::TempDir;

use launchready::assessment::{AnswerValue, Assessment, Store};
use launchready::checklist::Catalog;
use launchready::probe::{ProbeResult, Status};
use launchready::target::{Product, Target, TargetFile};
use launchready::tui::app::{App, Overlay, ProbeState, Screen};
use launchready::tui::theme::{THEME, Theme};
use launchready::tui::ui;

/// 2026-11-02T10:00:00Z.
fn clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_793_613_600)
}

const AT: &str = "2026-11-02T10:00:05Z";

struct Fixture {
    app: App,
    dir: TempDir,
}

impl Fixture {
    /// A wizard over an empty store.
    fn new() -> Fixture {
        Fixture::with_saved(|_| {})
    }

    /// A wizard over a store that `fill` has put assessments in first.
    fn with_saved(fill: impl FnOnce(&Store)) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::new(dir.path().join("store"));
        fill(&store);
        let mut app = App::new(Catalog::builtin().expect("built-in checklists"), store);
        app.clock = clock;
        Fixture { app, dir }
    }

    fn key(&mut self, code: KeyCode) -> &mut Fixture {
        self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        self
    }

    fn keys(&mut self, codes: &[KeyCode]) -> &mut Fixture {
        for code in codes {
            self.key(*code);
        }
        self
    }

    fn times(&mut self, code: KeyCode, n: usize) -> &mut Fixture {
        for _ in 0..n {
            self.key(code);
        }
        self
    }

    fn type_text(&mut self, text: &str) -> &mut Fixture {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    /// The screen as text: one line per row, trailing spaces trimmed, the store folder redacted.
    fn draw(&self, width: u16, height: u16) -> String {
        self.draw_with(&THEME, width, height)
    }

    fn draw_with(&self, theme: &Theme, width: u16, height: u16) -> String {
        let buffer = render(&self.app, theme, width, height);
        let mut out = String::new();
        for y in 0..height {
            let row: String = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
            out.push_str(row.trim_end());
            out.push('\n');
        }
        let root = self.dir.path().display().to_string();
        let out = out.replace(&root, "<tmp>");
        assert!(!out.contains(&root), "a temp path is on screen:\n{out}");
        out
    }

    /// Snapshots the screen at 80×24 and at 160×48.
    fn snap(&self, name: &str) {
        insta::assert_snapshot!(format!("{name}_80x24"), self.draw(80, 24));
        insta::assert_snapshot!(format!("{name}_160x48"), self.draw(160, 48));
    }

    /// From the start screen to the questions of a new B2B assessment of Acme Chat with the
    /// email domain given, as a user types it.
    fn start_assessment(&mut self, domain: &str) -> &mut Fixture {
        self.key(KeyCode::Char('n'))
            .key(KeyCode::Enter)
            .type_text("Acme Chat")
            .key(KeyCode::Tab)
            .type_text("Acme Ltd")
            .key(KeyCode::Tab)
            .type_text(domain)
            .times(KeyCode::Tab, 9)
            .key(KeyCode::Enter);
        assert_eq!(self.app.screen, Screen::Probes, "{:?}", self.app.message);
        self
    }

    /// The position in the question order of item `id`.
    fn position_of(&self, id: &str) -> usize {
        let c = self.app.checklist();
        self.app
            .questions
            .order
            .iter()
            .position(|&i| c.items[i].id == id)
            .unwrap_or_else(|| panic!("no item {id}"))
    }

    /// Walks the questions forward to item `id`.
    fn go_to_question(&mut self, id: &str) -> &mut Fixture {
        self.key(KeyCode::Home);
        let n = self.position_of(id);
        self.times(KeyCode::Right, n)
    }

    /// The email checks a user with a domain sees: SPF failed, the others done or running.
    fn email_results(&mut self, running: bool) -> &mut Fixture {
        let fixed = |r: ProbeResult| ProbeResult {
            at: AT.to_string(),
            ..r
        };
        let results = [
            fixed(
                ProbeResult::new(
                    "email.mx",
                    Status::Pass,
                    "MX records",
                    "Mail for acme.example goes to 2 servers.",
                )
                .evidence("MX", "10 mx1.acme.example, 20 mx2.acme.example"),
            ),
            fixed(
                ProbeResult::new(
                    "email.spf",
                    Status::Fail,
                    "SPF record",
                    "No SPF record: anyone can send email that claims to be from acme.example.",
                )
                .evidence("TXT acme.example", "(no v=spf1 record)")
                .fix("Add a TXT record at acme.example: v=spf1 include:_spf.your-mail-provider.example -all"),
            ),
            fixed(ProbeResult::new(
                "email.dmarc",
                Status::Warn,
                "DMARC policy",
                "DMARC is p=none: failing mail is still delivered.",
            )),
            fixed(ProbeResult::new(
                "dns.caa",
                Status::Error,
                "CAA records",
                "The DNS server did not answer in 5 seconds.",
            )),
        ];
        for r in results {
            self.app.on_probe(r.id.clone(), ProbeState::Done(r));
        }
        // Started 2.5 s ago: it reads "2s" unless drawing takes half a second.
        if running {
            let since = Instant::now()
                .checked_sub(Duration::from_millis(2_500))
                .expect("the clock runs");
            self.app
                .on_probe("email.dkim".into(), ProbeState::Running { since, note: None });
        } else {
            self.app.on_probe("email.dkim".into(), ProbeState::Cancelled);
        }
        self
    }
}

fn render(app: &App, theme: &Theme, width: u16, height: u16) -> ratatui::buffer::Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|frame| ui::render(app, theme, frame)).expect("draw");
    terminal.backend().buffer().clone()
}

/// The spinner's frame depends on the time the test takes: one fixed frame for snapshots.
fn steady_spinner(screen: &str) -> String {
    screen
        .chars()
        .map(|c| if ('⠀'..='⣿').contains(&c) { '⠿' } else { c })
        .collect()
}

/// Everything on screen without spaces and line breaks, to find wrapped text in; of a row
/// with a box on it, only what is inside the box.
fn squash(text: &str) -> String {
    text.lines()
        .map(|line| match (line.find('│'), line.rfind('│')) {
            (Some(a), Some(b)) if a < b => &line[a..b],
            _ => line,
        })
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect()
}

fn saved(
    store: &Store,
    name: &str,
    client: Option<&str>,
    vertical: &str,
    answers: &[(&str, AnswerValue)],
    minutes: u64,
) {
    let catalog = Catalog::builtin().expect("built-in checklists");
    let checklist = catalog.get(vertical).expect("vertical");
    let target = TargetFile {
        product: Product {
            name: name.to_string(),
            vertical: vertical.to_string(),
            client: client.map(str::to_string),
        },
        target: Target::default(),
        auth: launchready::target::Auth::default(),
        active: launchready::target::Active::default(),
    };
    let when = clock() - Duration::from_secs(60 * minutes);
    let mut a = Assessment::new(target, checklist, when);
    for (item, value) in answers {
        a.answer(item, *value, None, when);
    }
    Store::save(&a, &store.path_for(&a)).expect("save");
}

fn with_history() -> Fixture {
    Fixture::with_saved(|store| {
        saved(
            store,
            "Acme Chat",
            Some("Acme Ltd"),
            "b2b-service",
            &[
                ("auth.required", AnswerValue::No),
                ("isolation.objects", AnswerValue::Yes),
            ],
            60,
        );
        saved(
            store,
            "Acme Support Bot with a rather long product name",
            Some("Acme Ltd"),
            "ecommerce",
            &[("auth.required", AnswerValue::Yes)],
            60 * 24 * 3,
        );
        saved(store, "Coachly", None, "coaching", &[], 60 * 24 * 30);
        // A file that cannot be read back is counted, never listed.
        let broken = store.root().join("_no-client").join("broken.json");
        std::fs::write(&broken, "{ not json").expect("write");
    })
}

// ---- Screens -------------------------------------------------------------------------------

#[test]
fn start_empty() {
    Fixture::new().snap("start_empty");
}

#[test]
fn start_with_saved_assessments_grouped_by_client() {
    let mut f = with_history();
    assert_eq!(f.app.resumable().len(), 3);
    f.key(KeyCode::Down).key(KeyCode::Down);
    f.snap("start_saved");
}

#[test]
fn vertical() {
    let mut f = Fixture::new();
    f.key(KeyCode::Char('n')).key(KeyCode::Down);
    assert_eq!(f.app.screen, Screen::Vertical);
    f.snap("vertical");
}

#[test]
fn target_empty() {
    let mut f = Fixture::new();
    f.keys(&[KeyCode::Char('n'), KeyCode::Enter]);
    assert_eq!(f.app.screen, Screen::Target);
    f.snap("target_empty");
}

#[test]
fn target_with_errors_and_consent() {
    let mut f = Fixture::new();
    f.keys(&[KeyCode::Char('n'), KeyCode::Enter])
        .type_text("Acme Chat")
        .times(KeyCode::Tab, 2)
        .type_text("acme")
        .key(KeyCode::Tab)
        .type_text("app.acme.example")
        .times(KeyCode::Tab, 6)
        .key(KeyCode::Char(' '));
    assert!(f.app.product.active_allowed);
    // Continue refuses, says why on the message line and goes to the first field in error.
    f.times(KeyCode::Tab, 2).key(KeyCode::Enter);
    assert_eq!(f.app.screen, Screen::Target);
    assert!(f.app.message.is_some());
    assert_eq!(f.app.product.focus, 2);
    f.snap("target_errors");
}

#[test]
fn target_continue_button() {
    let mut f = Fixture::new();
    f.keys(&[KeyCode::Char('n'), KeyCode::Enter]).times(KeyCode::Tab, 11);
    f.snap("target_continue");
}

#[test]
fn probes_running() {
    let mut f = Fixture::new();
    f.start_assessment("acme.example")
        .email_results(true)
        .key(KeyCode::Down);
    let small = steady_spinner(&f.draw(80, 24));
    let wide = steady_spinner(&f.draw(160, 48));
    insta::assert_snapshot!("probes_running_80x24", small);
    insta::assert_snapshot!("probes_running_160x48", wide);
}

#[test]
fn probes_done() {
    let mut f = Fixture::new();
    f.start_assessment("acme.example")
        .email_results(false)
        .times(KeyCode::Down, 3);
    f.snap("probes_done");
}

#[test]
fn probes_none_explains_what_would_enable_them() {
    let mut f = Fixture::new();
    f.start_assessment("");
    assert!(f.app.probes.states.is_empty());
    f.snap("probes_none");
}

#[test]
fn question_first() {
    let mut f = Fixture::new();
    f.start_assessment("").key(KeyCode::Enter);
    assert_eq!(f.app.screen, Screen::Questions);
    f.snap("question_first");
}

#[test]
fn question_how_to_check() {
    let mut f = Fixture::new();
    f.start_assessment("").key(KeyCode::Enter).key(KeyCode::Char('w'));
    assert!(f.app.questions.show_how);
    f.snap("question_how");
}

#[test]
fn question_decided_by_a_check() {
    let mut f = Fixture::new();
    f.start_assessment("acme.example")
        .email_results(false)
        .key(KeyCode::Enter)
        .go_to_question("email.auth");
    f.snap("question_probe");
}

#[test]
fn question_answered_with_note() {
    let mut f = Fixture::new();
    f.start_assessment("")
        .key(KeyCode::Enter)
        .key(KeyCode::Char('u'))
        .key(KeyCode::Left)
        .key(KeyCode::Char('m'))
        .type_text("Our developer is checking the admin routes this week.")
        .key(KeyCode::Enter);
    f.snap("question_answered");
}

#[test]
fn question_without_question_text_asks_to_confirm() {
    let mut f = Fixture::new();
    f.start_assessment("")
        .key(KeyCode::Enter)
        .go_to_question("perf.latency");
    assert!(f.app.current_item().is_some_and(|i| i.question.is_none()));
    f.snap("question_confirm");
}

#[test]
fn scorecard() {
    let mut f = Fixture::new();
    f.start_assessment("acme.example")
        .email_results(false)
        .key(KeyCode::Enter)
        .key(KeyCode::Char('n'))
        .key(KeyCode::Char('y'))
        .key(KeyCode::Char('u'))
        .key(KeyCode::Char('v'));
    assert_eq!(f.app.screen, Screen::Scorecard);
    f.snap("scorecard");
}

#[test]
fn scorecard_keeps_the_selection_visible() {
    let mut f = Fixture::new();
    f.start_assessment("acme.example")
        .email_results(false)
        .key(KeyCode::Enter)
        .key(KeyCode::Char('v'))
        .times(KeyCode::Down, 30);
    let rows = f.app.score_rows();
    let c = f.app.checklist();
    let title = c.items[rows[30]].title.clone();
    let small = f.draw(80, 24);
    assert!(
        small
            .lines()
            .any(|l| l.trim_start().starts_with("▶") && l.contains(&title[..20])),
        "row 30 ({title}) not highlighted on screen:\n{small}"
    );
    f.snap("scorecard_scrolled");
}

#[test]
fn export() {
    let mut f = Fixture::new();
    f.start_assessment("")
        .key(KeyCode::Enter)
        .key(KeyCode::Char('v'))
        .key(KeyCode::Char('x'))
        .times(KeyCode::Tab, 5)
        .type_text("/reports");
    assert_eq!(f.app.screen, Screen::Export);
    assert_eq!(f.app.export.folder, "./reports");
    f.snap("export_form");
    // What the event loop records after writing.
    f.app.export.written = vec![
        PathBuf::from("./reports/acme-chat-20261102.md"),
        PathBuf::from("./reports/acme-chat-20261102.pdf"),
        PathBuf::from("./reports/acme-chat-20261102.report.json"),
    ];
    f.key(KeyCode::Tab);
    f.snap("export_written");
}

#[test]
fn export_error() {
    let mut f = Fixture::new();
    f.start_assessment("")
        .key(KeyCode::Enter)
        .key(KeyCode::Char('v'))
        .key(KeyCode::Char('x'))
        // Untick Markdown, PDF and JSON (SARIF is off already), then press the button.
        .key(KeyCode::Char(' '))
        .key(KeyCode::Tab)
        .key(KeyCode::Char(' '))
        .key(KeyCode::Tab)
        .key(KeyCode::Char(' '))
        .times(KeyCode::Tab, 4)
        .key(KeyCode::Enter);
    assert!(f.app.export.error.is_some());
    f.snap("export_error");
}

// ---- Overlays ------------------------------------------------------------------------------

#[test]
fn help_on_every_screen() {
    let mut f = Fixture::new();
    f.start_assessment("acme.example").email_results(false);
    let screens = [
        (Screen::Start, "start"),
        (Screen::Vertical, "vertical"),
        (Screen::Probes, "probes"),
        (Screen::Questions, "questions"),
        (Screen::Scorecard, "scorecard"),
        (Screen::Export, "export"),
    ];
    for (screen, name) in screens {
        f.app.screen = screen;
        f.key(KeyCode::Char('?'));
        assert_eq!(f.app.overlay, Overlay::Help, "{name}");
        f.snap(&format!("help_{name}"));
        f.key(KeyCode::Esc);
    }
    // The form takes `?` as text, so its keys are shown when asked another way.
    f.app.screen = Screen::Target;
    f.app.overlay = Overlay::Help;
    f.snap("help_target");
    f.app.screen = Screen::Api;
    f.snap("help_api");
}

#[test]
fn confirm_quit() {
    let mut f = Fixture::new();
    f.start_assessment("").key(KeyCode::Enter).key(KeyCode::Char('q'));
    assert_eq!(f.app.overlay, Overlay::ConfirmQuit);
    f.snap("confirm_quit");
}

#[test]
fn note_editor() {
    let mut f = Fixture::new();
    f.start_assessment("")
        .key(KeyCode::Enter)
        .key(KeyCode::Char('m'))
        .type_text("Checked with Sam on Monday");
    assert!(matches!(f.app.overlay, Overlay::Note { pending: None, .. }));
    f.snap("note");
}

#[test]
fn note_needed_to_override_a_check() {
    let mut f = Fixture::new();
    f.start_assessment("acme.example")
        .email_results(false)
        .key(KeyCode::Enter)
        .go_to_question("email.auth")
        .key(KeyCode::Char('y'));
    assert!(matches!(
        f.app.overlay,
        Overlay::Note {
            pending: Some(AnswerValue::Yes),
            ..
        }
    ));
    f.type_text("Our provider set SPF up yesterday");
    f.snap("note_override");
}

#[test]
fn detail_of_a_failed_item() {
    let mut f = Fixture::new();
    f.start_assessment("acme.example")
        .email_results(false)
        .key(KeyCode::Enter)
        .key(KeyCode::Char('v'));
    let rows = f.app.score_rows();
    let pos = rows
        .iter()
        .position(|&i| f.app.checklist().items[i].id == "email.auth")
        .expect("email.auth on the scorecard");
    f.times(KeyCode::Down, pos).key(KeyCode::Enter);
    assert!(matches!(f.app.overlay, Overlay::Detail { .. }));
    f.snap("detail");
    f.times(KeyCode::Down, 6);
    f.snap("detail_scrolled");
}

// ---- Long texts, colour, clicks ------------------------------------------------------------

/// Numbered words (`Name01 Name02 …`) up to `max` characters, so any cut shows.
fn numbered(word: &str, max: usize) -> String {
    let mut text = String::new();
    for n in 1.. {
        let next = format!("{word}{n:02}");
        if text.chars().count() + 1 + next.chars().count() > max {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&next);
    }
    text
}

#[test]
fn long_product_name_wraps_in_the_form() {
    let mut f = Fixture::new();
    let name = numbered("Name", 300);
    f.keys(&[KeyCode::Char('n'), KeyCode::Enter]).type_text(&name);
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = f.draw(w, h);
        assert!(
            squash(&screen).contains(&squash(&name)),
            "the name is cut at {w}×{h}:\n{screen}"
        );
    }
    f.snap("long_name_target");
    // Elsewhere the header shortens it with an ellipsis and keeps the step visible.
    f.times(KeyCode::Tab, 11).key(KeyCode::Enter).key(KeyCode::Enter);
    assert_eq!(f.app.screen, Screen::Questions);
    let screen = f.draw(80, 24);
    let header = screen.lines().next().unwrap_or_default();
    assert!(header.contains('…') && header.ends_with("5/7"), "{header}");
    f.snap("long_name_question");
}

#[test]
fn long_note_and_long_word_wrap() {
    let mut f = Fixture::new();
    // 300 characters: numbered words, then one word of more than a screen line.
    let words = numbered("note", 175);
    let word = "x".repeat(40) + &"y".repeat(40) + &"z".repeat(299 - 80 - words.len());
    let note = format!("{words} {word}");
    assert_eq!(note.chars().count(), 300);
    f.start_assessment("")
        .key(KeyCode::Enter)
        .key(KeyCode::Char('y'))
        .key(KeyCode::Left)
        .key(KeyCode::Char('m'))
        .type_text(&note);
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = f.draw(w, h);
        assert!(
            squash(&screen).contains(&squash(&note)),
            "the note is cut in the editor at {w}×{h}:\n{screen}"
        );
        let longest = screen.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(longest <= usize::from(w));
    }
    f.snap("long_note_editor");
    f.key(KeyCode::Enter);
    assert_eq!(f.app.overlay, Overlay::None);
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = f.draw(w, h);
        assert!(
            squash(&screen).contains(&squash(&note)),
            "the note is cut on the question at {w}×{h}:\n{screen}"
        );
    }
    f.snap("long_note_question");
}

#[test]
fn plain_theme_has_no_colours_and_the_same_words() {
    let mut f = Fixture::new();
    f.start_assessment("acme.example")
        .email_results(false)
        .key(KeyCode::Enter)
        .key(KeyCode::Char('v'));
    let plain = Theme::new(false);
    let buffer = render(&f.app, &plain, 80, 24);
    for cell in buffer.content() {
        assert_eq!(cell.fg, Color::Reset, "a colour in the plain theme");
        assert_eq!(cell.bg, Color::Reset, "a colour in the plain theme");
    }
    // The highlighted row stands out without colour.
    assert!(buffer.content().iter().any(|c| c.modifier.contains(Modifier::REVERSED)));
    assert_eq!(f.draw_with(&plain, 80, 24), f.draw(80, 24));
}

#[test]
fn list_top_is_the_first_clickable_row() {
    for (w, h) in [(80, 24), (160, 48), (100, 30)] {
        list_top_at(w, h);
    }
}

fn list_top_at(w: u16, h: u16) {
    let mut f = with_history();
    let area = Rect::new(0, 0, w, h);
    let screen = f.draw(w, h);
    let top = usize::from(ui::list_top(&f.app, area));
    assert!(
        screen.lines().nth(top).is_some_and(|l| l.contains("New assessment")),
        "{top}:\n{screen}"
    );
    // A click on the third row picks the second saved assessment.
    let row = ui::list_top(&f.app, area) + 2;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row,
        modifiers: KeyModifiers::NONE,
    };
    f.app.on_mouse(click, ui::list_area(&f.app, area));
    assert_eq!(f.app.start.cursor, 2);
    assert!(
        f.draw(w, h)
            .lines()
            .nth(usize::from(row))
            .is_some_and(|l| l.trim_start().starts_with('▶'))
    );

    f.key(KeyCode::Char('n'));
    let screen = f.draw(w, h);
    let top = usize::from(ui::list_top(&f.app, area));
    let first = &f.app.catalog.all()[0].business;
    assert!(
        screen.lines().nth(top).is_some_and(|l| l.contains(first.as_str())),
        "{top}:\n{screen}"
    );

    f.key(KeyCode::Enter);
    let screen = f.draw(w, h);
    let top = usize::from(ui::list_top(&f.app, area));
    assert!(
        screen.lines().nth(top).is_some_and(|l| l.contains("Product name")),
        "{top}:\n{screen}"
    );
    assert!(
        screen.lines().nth(top + 8).is_some_and(|l| l.contains("Code folder")),
        "{top}:\n{screen}"
    );

    let mut f = Fixture::new();
    f.start_assessment("acme.example").email_results(false);
    let screen = f.draw(w, h);
    let top = usize::from(ui::list_top(&f.app, area));
    assert!(
        screen.lines().nth(top).is_some_and(|l| l.contains("CAA records")),
        "{top}:\n{screen}"
    );
    assert!(
        screen.lines().nth(top + 3).is_some_and(|l| l.contains("MX records")),
        "{top}:\n{screen}"
    );
}

#[test]
fn tiny_terminals_do_not_panic() {
    let sizes = [(1, 1), (2, 2), (12, 4), (30, 8), (40, 12)];
    let mut drawn = 0;
    let mut form = Fixture::new();
    for _ in 0..3 {
        for (w, h) in sizes {
            form.draw(w, h);
            drawn += 1;
        }
        form.key(KeyCode::Enter);
    }
    let mut f = Fixture::new();
    f.start_assessment("acme.example").email_results(true);
    for (w, h) in sizes {
        f.app.screen = Screen::Probes;
        f.draw(w, h);
        f.key(KeyCode::Enter);
        f.draw(w, h);
        f.key(KeyCode::Char('w')).key(KeyCode::Char('m'));
        f.draw(w, h);
        f.key(KeyCode::Esc).key(KeyCode::Char('v'));
        f.draw(w, h);
        f.key(KeyCode::Enter);
        f.draw(w, h);
        f.key(KeyCode::Esc).key(KeyCode::Char('?'));
        f.draw(w, h);
        f.key(KeyCode::Esc).key(KeyCode::Char('x'));
        f.draw(w, h);
        drawn += 7;
    }
    assert_eq!(drawn, 50);
}

// ---- The API page --------------------------------------------------------------------------

/// The API page half filled: routes, a mistyped method flagged as typed, an account by email
/// and its password, shown as dots.
#[test]
fn api_page_with_an_account_and_an_error() {
    let mut f = Fixture::new();
    f.keys(&[KeyCode::Char('n'), KeyCode::Enter])
        .type_text("Acme Chat")
        .times(KeyCode::Tab, 4)
        .type_text("https://api.acme.example")
        .times(KeyCode::Tab, 7);
    assert_eq!(f.app.product.focus, f.app.product.button());
    // Continue with an API address opens the API page, once.
    f.key(KeyCode::Enter);
    assert_eq!(f.app.screen, Screen::Api, "{:?}", f.app.message);
    f.type_text("GET /api/conversations/{id}, POST /api/chat")
        .key(KeyCode::Tab)
        .type_text("GTE /admin/config")
        .key(KeyCode::Tab)
        .type_text("/webhooks/stripe")
        .key(KeyCode::Tab)
        .type_text("/api/chat")
        .times(KeyCode::Tab, 2)
        .type_text("/reply")
        .key(KeyCode::Tab)
        .type_text("/api/login")
        .key(KeyCode::Tab)
        .type_text("founder+a@acme.example")
        .key(KeyCode::Tab)
        .type_text("hunter2-secret");
    let admin = &f.app.product.api.fields[1];
    assert!(
        admin
            .error
            .as_deref()
            .is_some_and(|e| e.contains("Unknown HTTP method `GTE`")),
        "{admin:?}"
    );
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = f.draw(w, h);
        assert!(!screen.contains("hunter2"), "the password is on screen:\n{screen}");
        assert!(screen.contains("••••••••"), "{screen}");
    }
    assert!(
        !format!("{:?}", f.app.product).contains("hunter2"),
        "Debug shows the password"
    );
    f.snap("api_page");
}

/// The first page's link to the API page, highlighted, says what is described so far.
#[test]
fn target_api_link() {
    let mut f = Fixture::new();
    f.keys(&[KeyCode::Char('n'), KeyCode::Enter]).times(KeyCode::Tab, 10);
    assert_eq!(f.app.product.focus, f.app.product.api_row());
    f.snap("target_api_link");
    f.key(KeyCode::Enter);
    assert_eq!(f.app.screen, Screen::Api);
    // Before Continue nothing is saved yet, and the keys say so.
    assert!(f.app.assessment.is_none());
    f.app.overlay = Overlay::Help;
    let screen = f.draw(100, 30);
    assert!(squash(&screen).contains("savedonlywhenyoupressContinue"), "{screen}");
    f.app.overlay = Overlay::None;
    f.key(KeyCode::Esc);
    assert_eq!(f.app.screen, Screen::Target);
}

/// The API page with routes found in the API's OpenAPI document and the code, one ticked.
#[test]
fn api_page_with_suggestions() {
    use launchready::discover::{Kind, Suggestion};
    use launchready::target::Route;
    let mut f = Fixture::new();
    f.keys(&[KeyCode::Char('n'), KeyCode::Enter])
        .type_text("Acme Chat")
        .times(KeyCode::Tab, 10)
        .key(KeyCode::Enter);
    assert_eq!(f.app.screen, Screen::Api);
    let found = |kind, method: &str, path: &str, source: &str| Suggestion {
        kind,
        route: Route {
            method: method.into(),
            path: path.into(),
        },
        source: source.into(),
    };
    let attempt = f.app.product.api.discovery.0;
    f.app.on_discovered(
        attempt,
        vec![
            found(Kind::Private, "GET", "/api/conversations/{id}", "openapi.json"),
            found(Kind::Private, "DELETE", "/api/conversations/{id}", "openapi.json"),
            found(Kind::Admin, "GET", "/admin/config", "openapi.json"),
            found(Kind::Chat, "POST", "/api/chat", "src/server.ts:14"),
        ],
    );
    let n = f.app.product.api.fields.len();
    f.times(KeyCode::Tab, n).key(KeyCode::Char(' ')).times(KeyCode::Tab, 2);
    assert_eq!(f.app.product.api.fields[0].value, "GET /api/conversations/{id}");
    f.snap("api_page_suggestions");
}
