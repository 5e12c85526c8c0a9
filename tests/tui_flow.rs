//! The wizard's flow driven by key events, without a terminal: a whole assessment from the start
//! screen to the exported files, probes included, and resuming after a crash.

mod common;

use std::path::Path;
use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use launchready::assessment::{AnswerValue, Assessment, Store};
use launchready::checklist::Catalog;
use launchready::probe::engine::Event;
use launchready::probe::{ProbeCtx, Status};
use launchready::tui::app::Overlay;
use launchready::tui::{App, Command, Runner, Screen, execute};
use tokio::sync::mpsc;

fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn app(data: &Path) -> App {
    let mut app = App::new(Catalog::builtin().unwrap(), Store::new(data.to_path_buf()));
    app.clock = fixed_time;
    app
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Presses keys, carrying out the commands they return; probe commands go to `runner`.
fn press(app: &mut App, runner: &mut Runner, keys: &[KeyCode]) {
    for &k in keys {
        for command in app.on_key(key(k)) {
            assert!(!execute(app, runner, command), "nothing here quits");
        }
    }
}

fn typed(text: &str) -> Vec<KeyCode> {
    text.chars().map(KeyCode::Char).collect()
}

fn runner(ctx: ProbeCtx) -> (Runner, mpsc::UnboundedReceiver<Event>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Runner::new(ctx, tx), rx)
}

/// From the start screen to the product form of `vertical_index`.
/// A loopback DNS server for shop.example, whose SPF record lets anyone send: the probe fails it.
async fn spf_allows_anyone() -> common::dns::DnsServer {
    let mut zone = common::dns::Zone::new();
    zone.txt("shop.example", &["v=spf1 +all"])
        .mx("shop.example", 1, "mx.shop.example")
        .a("mx.shop.example", "192.0.2.1");
    common::dns::serve(zone).await
}

/// The item a check decides, and its place among the questions.
fn question_of(app: &App, check: &str) -> (String, usize) {
    let item = app.checklist().items_for_check(check).next().unwrap().id.clone();
    let pos = app
        .questions
        .order
        .iter()
        .position(|&i| app.checklist().items[i].id == item)
        .unwrap();
    (item, pos)
}

/// Feeds probe results to the app (carrying out its commands) until no probe runs.
async fn drain(app: &mut App, runner: &mut Runner, rx: &mut mpsc::UnboundedReceiver<Event>) {
    while app.busy() {
        let event = tokio::time::timeout(Duration::from_secs(120), rx.recv())
            .await
            .expect("probes finish")
            .unwrap();
        for command in app.on_event(event) {
            execute(app, runner, command);
        }
    }
}

/// Waits for the export the wizard started off its event loop, and hands the outcome to the app.
async fn finish_export(app: &mut App, runner: &mut Runner) {
    let written = tokio::time::timeout(Duration::from_secs(120), runner.exported())
        .await
        .expect("the export finishes")
        .expect("an export was started");
    app.on_exported(written);
    assert!(app.export.writing.is_none());
}

/// Tabs to the continue button of the form and presses it.
fn submit(app: &mut App, runner: &mut Runner) {
    while app.product.focus != app.product.button() {
        press(app, runner, &[KeyCode::Tab]);
    }
    press(app, runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Probes, "{:?}", app.message);
}

fn to_form(app: &mut App, runner: &mut Runner, vertical_index: usize) {
    press(app, runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Vertical);
    press(app, runner, &vec![KeyCode::Down; vertical_index]);
    press(app, runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Target);
}

#[tokio::test]
async fn a_whole_assessment_from_start_to_export() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (mut runner, _rx) = runner(ProbeCtx::default());
    to_form(&mut app, &mut runner, 1);

    // Continue with an empty name is refused inline.
    press(&mut app, &mut runner, &[KeyCode::BackTab, KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Target);
    assert!(app.product.fields[0].error.is_some());
    assert_eq!(app.product.focus, 0, "focus goes to the field to fix");

    // A URL without a scheme is flagged as it is typed.
    press(&mut app, &mut runner, &typed("Shopbot"));
    press(&mut app, &mut runner, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    press(&mut app, &mut runner, &typed("shop.example"));
    assert!(
        app.product.fields[3]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("scheme")),
        "{:?}",
        app.product.fields[3]
    );
    for _ in 0.."shop.example".len() {
        press(&mut app, &mut runner, &[KeyCode::Backspace]);
    }
    assert!(app.product.fields[3].error.is_none());

    // Continue: the assessment is created and saved at once.
    press(&mut app, &mut runner, &[KeyCode::BackTab; 4]);
    assert_eq!(app.product.focus, app.product.button(), "on the continue button");
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Probes);
    let path = app.path.clone().unwrap();
    assert!(path.exists(), "saved as soon as it starts");
    assert!(
        app.probes.states.is_empty(),
        "no domain, so nothing to probe; its items become questions"
    );

    // Every question answered "yes" with single keys; each answer is saved.
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Questions);
    let total = app.questions.order.len();
    press(&mut app, &mut runner, &vec![KeyCode::Char('y'); total]);
    assert_eq!(app.screen, Screen::Scorecard);
    assert_eq!(Assessment::load(&path).unwrap().answers.len(), total);

    // Export Markdown, PDF and JSON (the defaults) to a folder typed in the form.
    press(&mut app, &mut runner, &[KeyCode::Char('x')]);
    assert_eq!(app.screen, Screen::Export);
    press(&mut app, &mut runner, &[KeyCode::Tab; 5]);
    assert_eq!(app.export.focus, launchready::tui::app::EXPORT_FOLDER);
    for _ in 0..app.export.folder.len() {
        press(&mut app, &mut runner, &[KeyCode::Backspace]);
    }
    press(&mut app, &mut runner, &typed(&out.path().display().to_string()));
    press(&mut app, &mut runner, &[KeyCode::Tab, KeyCode::Enter]);
    assert!(app.export.writing.is_some(), "the files are written off the event loop");
    finish_export(&mut app, &mut runner).await;
    assert_eq!(app.export.error, None);
    assert_eq!(app.export.written.len(), 3);
    let md = std::fs::read_to_string(
        app.export
            .written
            .iter()
            .find(|p| p.extension().unwrap() == "md")
            .unwrap(),
    )
    .unwrap();
    assert!(md.contains("# Launch readiness: Shopbot"), "{md}");
    assert!(md.contains("**Ready.**"), "{md}");
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            app.export
                .written
                .iter()
                .find(|p| p.extension().unwrap() == "json")
                .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(json["cover"]["verdict"]["id"], "ready");
    assert_eq!(json["cover"]["checklist"], "ecommerce");
    let pdf = app
        .export
        .written
        .iter()
        .find(|p| p.extension().unwrap() == "pdf")
        .unwrap();
    assert!(std::fs::read(pdf).unwrap().starts_with(b"%PDF"));
}

#[tokio::test]
async fn probes_run_in_the_background_and_overrides_need_a_note() {
    let server = spf_allows_anyone().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let ctx = ProbeCtx {
        resolver: Some(server.addr),
        timeout: Duration::from_millis(500),
        attempts: 1,
        ..ProbeCtx::default()
    };
    let (mut runner, mut rx) = runner(ctx);
    to_form(&mut app, &mut runner, 0);
    press(&mut app, &mut runner, &typed("Acme Chat"));
    press(&mut app, &mut runner, &[KeyCode::Tab, KeyCode::Tab]);
    press(&mut app, &mut runner, &typed("shop.example"));
    submit(&mut app, &mut runner);
    assert!(
        app.busy(),
        "probes started: {:?}",
        app.probes.states.keys().collect::<Vec<_>>()
    );
    let expected = app.probes.states.len();
    assert!(expected >= 5, "every email check runs");

    // The user may go on to the questions while probes run.
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Questions);

    // Results arrive over the channel and are recorded and saved.
    let mut finished = 0;
    while finished < expected {
        let event = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("probes finish")
            .unwrap();
        for command in app.on_event(event) {
            execute(&mut app, &mut runner, command);
        }
        finished = app.probes_done();
    }
    assert!(!app.busy());
    let saved = Assessment::load(app.path.as_ref().unwrap()).unwrap();
    assert_eq!(saved.probes["email.spf"].status, Status::Fail);

    // Answering "yes" to the SPF item against the failed probe asks for a note first.
    let (spf_item, pos) = question_of(&app, "email.spf");
    app.questions.index = pos;
    press(&mut app, &mut runner, &[KeyCode::Char('y')]);
    assert!(matches!(
        app.overlay,
        Overlay::Note {
            pending: Some(AnswerValue::Yes),
            ..
        }
    ));
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    assert!(app.message.as_deref().is_some_and(|m| m.contains("needs a note")));
    assert!(
        !Assessment::load(app.path.as_ref().unwrap())
            .unwrap()
            .answers
            .contains_key(&spf_item)
    );

    app.questions.index = pos;
    press(&mut app, &mut runner, &[KeyCode::Char('y')]);
    press(&mut app, &mut runner, &typed("New record published today."));
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    let saved = Assessment::load(app.path.as_ref().unwrap()).unwrap();
    let answer = &saved.answers[&spf_item];
    assert_eq!(
        (answer.value, answer.note.as_deref()),
        (AnswerValue::Yes, Some("New record published today."))
    );
}

#[tokio::test]
async fn resuming_after_a_crash_loses_no_answer() {
    let data = tempfile::tempdir().unwrap();
    let answered;
    {
        let mut app = app(data.path());
        let (mut runner, _rx) = runner(ProbeCtx::default());
        to_form(&mut app, &mut runner, 3);
        press(&mut app, &mut runner, &typed("Coach Bot"));
        press(&mut app, &mut runner, &[KeyCode::Tab]);
        press(&mut app, &mut runner, &typed("Client One"));
        submit(&mut app, &mut runner);
        press(&mut app, &mut runner, &[KeyCode::Enter]);
        assert_eq!(app.screen, Screen::Questions);
        press(
            &mut app,
            &mut runner,
            &[
                KeyCode::Char('y'),
                KeyCode::Char('n'),
                KeyCode::Char('u'),
                KeyCode::Char('a'),
            ],
        );
        // A note on the last answer, after going back to it.
        press(&mut app, &mut runner, &[KeyCode::Left, KeyCode::Char('m')]);
        press(&mut app, &mut runner, &typed("ask the CTO"));
        press(&mut app, &mut runner, &[KeyCode::Enter]);
        answered = app.assessment.as_ref().unwrap().answers.clone();
        assert_eq!(answered.len(), 4);
        // The process dies here: no quit, no final save.
    }
    let mut app = app(data.path());
    let (mut runner, _rx) = runner(ProbeCtx::default());
    assert_eq!(app.resumable().len(), 1);
    press(&mut app, &mut runner, &[KeyCode::Down, KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Questions);
    let resumed = app.assessment.as_ref().unwrap();
    assert_eq!(resumed.answers, answered);
    assert_eq!(resumed.target.product.client.as_deref(), Some("Client One"));
    assert_eq!(app.questions.index, 4, "continues at the first unanswered question");
    assert_eq!(
        resumed
            .answers
            .values()
            .filter(|a| a.value == AnswerValue::NotApplicable)
            .count(),
        1
    );
    assert!(answered.values().any(|a| a.note.as_deref() == Some("ask the CTO")));
}

#[test]
fn quitting_asks_first_and_ctrl_c_quits_at_once() {
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    assert!(app.on_key(key(KeyCode::Char('q'))).is_empty());
    assert_eq!(app.overlay, Overlay::ConfirmQuit);
    assert!(app.on_key(key(KeyCode::Esc)).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    app.on_key(key(KeyCode::Char('q')));
    assert_eq!(app.on_key(key(KeyCode::Char('y'))), vec![Command::Quit]);
    assert_eq!(
        app.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        vec![Command::Quit]
    );
    // `?` opens the keys of the current screen, any key closes them.
    app.on_key(key(KeyCode::Char('?')));
    assert_eq!(app.overlay, Overlay::Help);
    app.on_key(key(KeyCode::Char('x')));
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn a_long_question_scrolls_and_the_scroll_resets_on_the_next_one() {
    use ratatui::{Terminal, backend::TestBackend};
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (tx, _rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(ProbeCtx::default(), tx);
    to_form(&mut app, &mut runner, 0);
    press(&mut app, &mut runner, &typed("Acme Chat"));
    submit(&mut app, &mut runner);
    press(&mut app, &mut runner, &[KeyCode::Enter, KeyCode::Char('w')]);
    let theme = launchready::tui::theme::Theme::new(false);
    // A short window, so the how-to cannot fit.
    let mut terminal = Terminal::new(TestBackend::new(80, 16)).unwrap();
    let screen = |app: &App, terminal: &mut Terminal<TestBackend>| {
        terminal.draw(|f| launchready::tui::ui::render(app, &theme, f)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let top = screen(&app, &mut terminal);
    assert!(top.contains("more below"), "the how-to does not fit at 80x16:\n{top}");
    press(&mut app, &mut runner, &[KeyCode::Down; 40]);
    let bottom = screen(&app, &mut terminal);
    assert!(!bottom.contains("more below"), "scrolled to the end:\n{bottom}");
    assert!(bottom.contains("How to fix"), "{bottom}");
    press(&mut app, &mut runner, &[KeyCode::Right]);
    assert_eq!(app.questions.body_scroll, 0);
}

#[test]
fn a_click_on_a_scrolled_list_selects_the_row_under_the_pointer() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    use ratatui::layout::Rect;
    let data = tempfile::tempdir().unwrap();
    let store = Store::new(data.path().to_path_buf());
    let checklist = Catalog::builtin().unwrap().get("coaching").unwrap().clone();
    for i in 0..30 {
        let text = format!("[product]\nname = \"Bot {i:02}\"\nvertical = \"coaching\"\nclient = \"Client\"\n");
        let target =
            launchready::target::TargetFile::parse("t.toml", &text, launchready::checklist::VERTICALS).unwrap();
        let a = Assessment::new(target, &checklist, fixed_time());
        Store::save(&a, &store.path_for(&a)).unwrap();
    }
    let mut app = app(data.path());
    assert_eq!(app.resumable().len(), 30);
    for _ in 0..25 {
        app.on_key(key(KeyCode::Down));
    }
    let area = Rect::new(0, 0, 80, 24);
    let list = launchready::tui::ui::list_area(&app, area);
    assert!(
        usize::from(list.height) < 26,
        "the list must be scrolled for this test: {list:?}"
    );
    let click = |row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // The selection sits on the last visible row; a click on the first visible row picks the
    // row that is really drawn there.
    let theme = launchready::tui::theme::Theme::new(false);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| launchready::tui::ui::render(&app, &theme, f))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let first_row: String = (0..80).map(|x| buffer[(x, list.y)].symbol().to_string()).collect();
    app.on_mouse(click(list.y), list);
    assert_eq!(app.start.cursor, 25 - (usize::from(list.height) - 1));
    let picked = app.resumable()[app.start.cursor - 1]
        .assessment
        .as_ref()
        .unwrap()
        .target
        .product
        .name
        .clone();
    assert!(first_row.contains(&picked), "clicked {first_row:?}, picked {picked}");
    // Outside the list: nothing changes.
    let before = app.start.cursor;
    app.on_mouse(click(list.y + list.height), list);
    assert_eq!(app.start.cursor, before);
}

/// Regression: the HTTP client of a first assessment (which may only reach its hosts) was kept
/// for a second assessment of another product in the same session.
#[tokio::test]
async fn a_second_assessment_in_one_session_probes_its_own_hosts() {
    use launchready::demo::{self, Flavour};
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let tokens = launchready::probe::api::Tokens {
        a: Some(demo::TOKEN_A.into()),
        b: Some(demo::TOKEN_B.into()),
        low: Some(demo::TOKEN_LOW.into()),
        ..Default::default()
    };
    let mut runner = Runner::new(
        ProbeCtx {
            timeout: Duration::from_secs(5),
            ..ProbeCtx::default()
        },
        tx,
    )
    .with_tokens(tokens);
    for flavour in [Flavour::Good, Flavour::Flawed] {
        let server = demo::start(flavour).await.unwrap();
        let mut target = demo::target_file(&server);
        // Passive checks only, to keep the test short.
        target.active.allowed = false;
        app.prefill(&target);
        press(&mut app, &mut runner, &[KeyCode::Enter]);
        assert_eq!(app.screen, Screen::Probes);
        drain(&mut app, &mut runner, &mut rx).await;
        let health = &app.assessment.as_ref().unwrap().probes["api.health"];
        assert_eq!(health.status, Status::Pass, "{flavour:?}: {health:#?}");
    }
}

/// Regression: a note written for an earlier answer silently justified a later contradicting one.
#[tokio::test]
async fn every_contradicting_answer_asks_for_its_note() {
    let server = spf_allows_anyone().await;
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (mut runner, mut rx) = runner(ProbeCtx {
        resolver: Some(server.addr),
        timeout: Duration::from_millis(500),
        attempts: 1,
        ..ProbeCtx::default()
    });
    to_form(&mut app, &mut runner, 0);
    press(&mut app, &mut runner, &typed("Acme Chat"));
    press(&mut app, &mut runner, &[KeyCode::Tab, KeyCode::Tab]);
    press(&mut app, &mut runner, &typed("shop.example"));
    submit(&mut app, &mut runner);
    drain(&mut app, &mut runner, &mut rx).await;
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    let (spf_item, pos) = question_of(&app, "email.spf");
    // "No" agrees with the failed check; a note is added to it.
    app.questions.index = pos;
    press(&mut app, &mut runner, &[KeyCode::Char('n')]);
    app.questions.index = pos;
    press(&mut app, &mut runner, &[KeyCode::Char('m')]);
    press(&mut app, &mut runner, &typed("confirmed broken"));
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    // "Yes" now contradicts the check: the editor opens with the old note, and Esc changes nothing.
    press(&mut app, &mut runner, &[KeyCode::Char('y')]);
    assert!(
        matches!(&app.overlay, Overlay::Note { buffer, pending: Some(AnswerValue::Yes), .. } if buffer == "confirmed broken")
    );
    press(&mut app, &mut runner, &[KeyCode::Esc]);
    assert_eq!(
        app.assessment.as_ref().unwrap().answers[&spf_item].value,
        AnswerValue::No
    );
}

/// Regression: exporting into the data folder replaced the assessment with the report.
#[tokio::test]
async fn exporting_into_the_data_folder_keeps_the_assessment() {
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (mut runner, _rx) = runner(ProbeCtx::default());
    to_form(&mut app, &mut runner, 0);
    press(&mut app, &mut runner, &typed("Acme Chat"));
    submit(&mut app, &mut runner);
    press(
        &mut app,
        &mut runner,
        &[
            KeyCode::Enter,
            KeyCode::Char('y'),
            KeyCode::Char('v'),
            KeyCode::Char('x'),
        ],
    );
    let folder = app.path.as_ref().unwrap().parent().unwrap().display().to_string();
    // Only Markdown and JSON: PDF off.
    press(&mut app, &mut runner, &[KeyCode::Tab, KeyCode::Char(' ')]);
    press(
        &mut app,
        &mut runner,
        &[
            KeyCode::Tab,
            KeyCode::Tab,
            KeyCode::Tab,
            KeyCode::Tab,
            KeyCode::Backspace,
        ],
    );
    press(&mut app, &mut runner, &typed(&folder));
    press(&mut app, &mut runner, &[KeyCode::Tab, KeyCode::Enter]);
    finish_export(&mut app, &mut runner).await;
    assert_eq!(app.export.error, None);
    assert_eq!(app.export.written.len(), 2);
    assert!(app.export.written.iter().all(|p| p != app.path.as_ref().unwrap()));
    let saved = Assessment::load(app.path.as_ref().unwrap()).expect("the assessment is intact");
    assert_eq!(saved.answers.len(), 1);
}

/// Review finding: checks still running for an assessment the user left recorded their results
/// into the next one opened.
#[tokio::test]
async fn results_of_an_assessment_left_behind_are_dropped() {
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (mut runner, _rx) = runner(ProbeCtx::default());
    to_form(&mut app, &mut runner, 0);
    press(&mut app, &mut runner, &typed("Acme Chat"));
    press(&mut app, &mut runner, &[KeyCode::Tab]);
    press(&mut app, &mut runner, &typed("acme.example"));
    submit(&mut app, &mut runner);
    let first = app.path.clone().unwrap();
    // Back to the start while the checks run, and a new assessment.
    press(&mut app, &mut runner, &[KeyCode::Esc, KeyCode::Esc]);
    assert_eq!(app.screen, Screen::Start);
    let commands = app.on_key(key(KeyCode::Char('n')));
    assert!(commands.contains(&Command::StopProbes), "{commands:?}");
    for command in commands {
        execute(&mut app, &mut runner, command);
    }
    let late = launchready::probe::ProbeResult::new("email.spf", Status::Fail, "SPF record", "late");
    assert!(
        app.on_event(Event::Finished(late)).is_empty(),
        "a late result is not saved"
    );
    assert!(app.probes.states.is_empty());
    let saved = Assessment::load(&first).unwrap();
    assert!(!saved.probes.contains_key("email.spf") || saved.probes["email.spf"].summary != "late");
}

/// Draws the wizard on a test backend and returns the screen as text.
fn screen_text(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| launchready::tui::ui::render(app, &launchready::tui::theme::THEME, frame))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..40)
        .map(|y| (0..120).map(|x| buffer[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

/// On the product form: types the product name, the API address and (when given) the code
/// folder, and moves to the continue button.
fn describe_product(app: &mut App, runner: &mut Runner, api_base: &str, repo: Option<&str>) {
    press(app, runner, &typed("Acme Chat"));
    press(app, runner, &[KeyCode::Tab; 4]);
    press(app, runner, &typed(api_base));
    if let Some(repo) = repo {
        press(app, runner, &[KeyCode::Tab; 4]);
        press(app, runner, &typed(repo));
    }
    while app.product.focus != app.product.button() {
        press(app, runner, &[KeyCode::Tab]);
    }
}

/// Moves the focus of the API page to the field `key`.
fn to_api_field(app: &mut App, runner: &mut Runner, key: &str) {
    let index = app.product.api.fields.iter().position(|f| f.key == key).unwrap();
    while app.product.api.focus != index {
        press(app, runner, &[KeyCode::Tab]);
    }
}

fn fill_api(app: &mut App, runner: &mut Runner, key: &str, value: &str) {
    to_api_field(app, runner, key);
    while !app.product.api.fields[app.product.api.focus].value.is_empty() {
        press(app, runner, &[KeyCode::Backspace]);
    }
    press(app, runner, &typed(value));
    let field = &app.product.api.fields[app.product.api.focus];
    assert_eq!(field.error, None, "{key}");
}

/// A founder describes the practice API in the wizard alone, the accounts by email and
/// password; the sign-in runs, the account checks find the flawed build's holes, and no
/// password or token is anywhere: screen, saved assessment, reports.
async fn describe_the_demo_in_the_wizard(
    password_a: &str,
) -> (
    App,
    Runner,
    mpsc::UnboundedReceiver<Event>,
    launchready::demo::DemoServer,
    tempfile::TempDir,
) {
    use launchready::demo::{self, ACCOUNTS, Flavour};
    let server = demo::start(Flavour::Flawed).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (mut runner, rx) = runner(ProbeCtx {
        timeout: Duration::from_secs(5),
        ..ProbeCtx::default()
    });
    let b2b = app.catalog.all().iter().position(|c| c.id == "b2b-service").unwrap();
    to_form(&mut app, &mut runner, b2b);
    describe_product(&mut app, &mut runner, &server.base_url(), None);
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Api, "an API address leads to the API page");

    // A mistyped route is flagged as typed, with the target file's words.
    to_api_field(&mut app, &mut runner, "admin_routes");
    press(&mut app, &mut runner, &typed("admin/config"));
    let error = app.product.api.fields[1].error.clone().unwrap_or_default();
    assert!(error.contains("Unknown HTTP method"), "{error}");
    for (key, value) in [
        ("private_routes", "GET /api/conversations/{id}, post /api/chat"),
        ("admin_routes", "GET /admin/config"),
        ("webhook", "/webhooks/stripe"),
        ("chat", "/api/chat"),
        ("chat_reply", "/reply"),
        ("login", "/api/login"),
        ("account_a", ACCOUNTS[0].email),
        ("password_a", password_a),
        ("account_b", ACCOUNTS[1].email),
        ("password_b", ACCOUNTS[1].password),
        ("object_b", demo::OBJECT_B),
    ] {
        fill_api(&mut app, &mut runner, key, value);
    }
    let shown = screen_text(&app);
    assert!(!shown.contains(ACCOUNTS[1].password), "{shown}");
    assert!(shown.contains("•••••••••••••••"), "{shown}");
    while app.product.api.focus != app.product.api.button() {
        press(&mut app, &mut runner, &[KeyCode::Tab]);
    }
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    assert!(app.product.api.signing.is_some(), "{:?}", app.message);
    assert!(app.assessment.is_none(), "nothing starts before the sign-in");
    let outcomes = tokio::time::timeout(Duration::from_secs(60), runner.signed_in())
        .await
        .expect("the sign-in ends")
        .expect("a sign-in was started");
    for command in app.on_signed_in(outcomes.0, outcomes.1) {
        execute(&mut app, &mut runner, command);
    }
    (app, runner, rx, server, data)
}

#[tokio::test]
async fn a_product_described_only_in_the_wizard_gets_its_account_checks() {
    use launchready::demo::{ACCOUNTS, TOKEN_A, TOKEN_B, TOKEN_LOW};
    let (mut app, mut runner, mut rx, _server, data) = describe_the_demo_in_the_wizard(ACCOUNTS[0].password).await;
    assert_eq!(app.screen, Screen::Probes, "{:?}", app.message);
    assert!(
        app.product
            .api
            .fields
            .iter()
            .filter(|f| f.secret)
            .all(|f| f.value.is_empty()),
        "the form holds no password once signed in"
    );
    drain(&mut app, &mut runner, &mut rx).await;
    let probes = &app.assessment.as_ref().unwrap().probes;
    for id in [
        "api.auth_required",
        "api.object_authz",
        "api.role_authz",
        "api.webhook_signature",
    ] {
        let r = probes.get(id).unwrap_or_else(|| panic!("{id} ran: {probes:#?}"));
        assert_eq!(r.status, Status::Fail, "{id}: {}", r.summary);
    }

    // Resumed later, the assessment no longer has the sign-in accounts: re-running an account
    // check is refused, and its proven failure stands.
    app.assessment.as_mut().unwrap().target.auth.sign_in = launchready::target::SignIn::default();
    app.probes.cursor = app.probes.states.keys().position(|k| k == "api.object_authz").unwrap();
    assert_eq!(app.screen, Screen::Probes);
    assert!(app.on_key(key(KeyCode::Char('r'))).is_empty());
    assert!(app.message.as_deref().is_some_and(|m| m.contains("cannot run again")));
    assert_eq!(
        app.assessment.as_ref().unwrap().probes["api.object_authz"].status,
        Status::Fail
    );

    // Nothing secret anywhere: the screen, the saved assessment, the reports.
    let secrets = [ACCOUNTS[0].password, ACCOUNTS[1].password, TOKEN_A, TOKEN_B, TOKEN_LOW];
    let saved = std::fs::read_to_string(app.path.clone().unwrap()).unwrap();
    let shown = screen_text(&app);
    press(
        &mut app,
        &mut runner,
        &[KeyCode::Enter, KeyCode::Char('v'), KeyCode::Char('x')],
    );
    assert_eq!(app.screen, Screen::Export);
    // Markdown, PDF, JSON and SARIF, into a folder of their own.
    let out = tempfile::tempdir().unwrap();
    press(
        &mut app,
        &mut runner,
        &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Char(' ')],
    );
    // And the target file, for scan and CI.
    press(&mut app, &mut runner, &[KeyCode::Tab, KeyCode::Char(' '), KeyCode::Tab]);
    assert_eq!(app.export.focus, launchready::tui::app::EXPORT_FOLDER);
    for _ in 0..app.export.folder.len() {
        press(&mut app, &mut runner, &[KeyCode::Backspace]);
    }
    press(&mut app, &mut runner, &typed(&out.path().display().to_string()));
    press(&mut app, &mut runner, &[KeyCode::Tab, KeyCode::Enter]);
    finish_export(&mut app, &mut runner).await;
    assert_eq!(app.export.error, None);
    let mut texts = vec![("saved assessment".to_string(), saved), ("screen".to_string(), shown)];
    for path in &app.export.written {
        let text = if path.extension().unwrap() == "pdf" {
            let out = std::process::Command::new("pdftotext")
                .arg(path)
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            std::fs::read_to_string(path).unwrap()
        };
        texts.push((path.display().to_string(), text));
    }
    assert!(texts.len() >= 5, "{:?}", app.export.written);
    for (what, text) in &texts {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} is in the {what}");
        }
        assert!(!text.contains(ACCOUNTS[0].email), "the test email is in the {what}");
    }
    drop(data);
}

#[tokio::test]
async fn a_wrong_password_shows_at_its_field_and_starts_nothing() {
    let (app, _runner, _rx, _server, _data) = describe_the_demo_in_the_wizard("not-the-password").await;
    assert_eq!(app.screen, Screen::Api);
    assert!(app.assessment.is_none());
    let field = &app.product.api.fields[app.product.api.focus];
    assert_eq!(field.key, "password_a");
    let error = field.error.clone().unwrap_or_default();
    assert!(error.contains("account A") && error.contains("401"), "{error}");
}

/// A target file opened in the wizard and saved again is the same file: every field the wizard
/// shows goes back where it came from, and what it does not show is kept.
#[test]
fn a_target_file_round_trips_through_the_wizard() {
    use launchready::target::{Active, Auth, Chat, Login, Product, Route, Target, TargetFile, Webhook};
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    let route = |method: &str, path: &str| Route {
        method: method.into(),
        path: path.into(),
    };
    let original = TargetFile {
        product: Product {
            name: "Acme Chat".into(),
            vertical: "marketplace".into(),
            client: Some("Acme Ltd".into()),
        },
        target: Target {
            domain: Some("acme.example".into()),
            app_url: Some("https://app.acme.example".into()),
            api_base: Some("https://api.acme.example".into()),
            health_path: Some("/healthz".into()),
            allowed_origins: vec!["https://app.acme.example".into(), "https://acme.example".into()],
            repo: Some(dir.path().to_path_buf()),
            build_dir: Some("dist".into()),
            dkim_selectors: vec!["s1".into(), "google".into()],
            private_routes: vec![route("GET", "/api/orders/{id}"), route("DELETE", "/api/orders/{id}")],
            admin_routes: vec![route("POST", "/admin/users")],
            webhook: Some(Webhook {
                path: "/hooks/payments".into(),
            }),
            chat: Some(Chat {
                method: "PUT".into(),
                path: "/v1/messages".into(),
                body: r#"{"input": {"text": "{{prompt}}"}}"#.into(),
                reply: "/output/0/text".into(),
                canary_env: Some("ACME_CANARY".into()),
            }),
            login: Some(Login {
                path: "/v1/sessions".into(),
                body: Some(r#"{"user": "{{email}}", "pass": "{{password}}"}"#.into()),
            }),
        },
        auth: Auth {
            token_a_env: Some("ACME_TOKEN_A".into()),
            token_b_env: Some("ACME_TOKEN_B".into()),
            object_b: Some("ord_42".into()),
            token_low_env: Some("ACME_TOKEN_SUPPORT".into()),
            ..Auth::default()
        },
        active: Active {
            allowed: true,
            max_requests: 40,
        },
    };
    let text = original.to_toml().unwrap();
    let path = dir.path().join("acme.toml");
    std::fs::write(&path, &text).unwrap();
    let catalog = Catalog::builtin().unwrap();
    let ids: Vec<&str> = catalog.all().iter().map(|c| c.id.as_str()).collect();
    let loaded = TargetFile::load(&path, &ids).unwrap();
    assert_eq!(loaded, original);

    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    app.prefill(&loaded);
    let again = app.form_target();
    assert_eq!(again, original);
    assert_eq!(
        again.for_saving().to_toml().unwrap(),
        text,
        "load → save gives the same file"
    );
    assert!(text.starts_with("# launchready target file"), "{text}");
}

/// The API page suggests the routes of the OpenAPI document the API serves and of the code
/// folder; nothing is used until ticked, and unticking takes it out again.
#[tokio::test]
async fn the_api_page_suggests_routes_found_in_the_openapi_document_and_the_code() {
    use common::web::{Answer, Pages, serve};
    let doc = serde_json::json!({
        "openapi": "3.0.0",
        "security": [{"bearer": []}],
        "paths": {
            "/health": {"get": {"security": []}},
            "/api/conversations/{id}": {"get": {}},
            "/admin/config": {"get": {}},
            "/webhooks/stripe": {"post": {"security": []}}
        }
    });
    let api = serve(
        Pages::new().at(
            "/openapi.json",
            Answer::ok(&doc.to_string()).header("content-type", "application/json"),
        ),
        None,
    )
    .await;
    let code = tempfile::tempdir().unwrap();
    std::fs::write(code.path().join("server.js"), "router.post('/api/chat', send);\n").unwrap();

    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (mut runner, _rx) = runner(ProbeCtx {
        timeout: Duration::from_secs(5),
        ..ProbeCtx::default()
    });
    to_form(&mut app, &mut runner, 0);
    let base = format!("http://127.0.0.1:{}", api.port());
    describe_product(&mut app, &mut runner, &base, Some(&code.path().display().to_string()));
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Api, "{:?}", app.message);
    assert!(app.product.api.discovering);
    for _ in 0..2 {
        let (attempt, found) = tokio::time::timeout(Duration::from_secs(30), runner.discovered())
            .await
            .expect("discovery ends")
            .unwrap();
        app.on_discovered(attempt, found);
    }
    assert!(!app.product.api.discovering);
    // An answer to an earlier discovery changes nothing.
    app.on_discovered(0, vec![]);
    let listed: Vec<String> = app
        .product
        .api
        .suggestions
        .iter()
        .map(|s| format!("{} {} {}", s.kind.label(), s.route.method, s.route.path))
        .collect();
    assert_eq!(
        listed,
        [
            "private GET /api/conversations/{id}",
            "admin GET /admin/config",
            "webhook POST /webhooks/stripe",
            "chat POST /api/chat",
        ],
        "the health route needs no login, so it is not suggested"
    );
    assert!(api.requests().iter().any(|r| r.contains("/openapi.json")));
    assert!(
        app.product.api.fields.iter().all(|f| f.value.is_empty()),
        "nothing is used unticked"
    );
    assert!(screen_text(&app).contains("Routes found (4)"), "{}", screen_text(&app));

    // Tick the private route and the webhook; untick the private route again.
    let n = app.product.api.fields.len();
    let tick = |app: &mut App, runner: &mut Runner, row: usize| {
        while app.product.api.focus != n + row {
            press(app, runner, &[KeyCode::Tab]);
        }
        press(app, runner, &[KeyCode::Char(' ')]);
    };
    tick(&mut app, &mut runner, 0);
    tick(&mut app, &mut runner, 2);
    tick(&mut app, &mut runner, 3);
    let value = |app: &App, key: &str| {
        app.product
            .api
            .fields
            .iter()
            .find(|f| f.key == key)
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(value(&app, "private_routes"), "GET /api/conversations/{id}");
    assert_eq!(value(&app, "webhook"), "/webhooks/stripe");
    assert_eq!(value(&app, "chat"), "POST /api/chat");
    assert!(screen_text(&app).contains("server.js:1"), "where it was found is shown");
    tick(&mut app, &mut runner, 0);
    assert_eq!(value(&app, "private_routes"), "");
    // Continue starts with exactly what is ticked.
    while app.product.api.focus != app.product.api.button() {
        press(&mut app, &mut runner, &[KeyCode::Tab]);
    }
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Probes, "{:?}", app.message);
    let target = &app.assessment.as_ref().unwrap().target.target;
    assert!(target.private_routes.is_empty());
    assert_eq!(target.webhook.as_ref().unwrap().path, "/webhooks/stripe");
    press(&mut app, &mut runner, &[KeyCode::Char('C')]);
}

/// A sign-in given up with Esc never decides the next one: its answer, arriving late, is
/// ignored, and only the current attempt's counts.
#[test]
fn an_answer_to_an_abandoned_sign_in_is_ignored() {
    use launchready::probe::api::Who;
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (mut runner, _rx) = runner(ProbeCtx::default());
    to_form(&mut app, &mut runner, 0);
    describe_product(&mut app, &mut runner, "http://127.0.0.1:9", None);
    app.on_key(key(KeyCode::Enter));
    for (k, v) in [
        ("login", "/api/login"),
        ("account_a", "a@acme.example"),
        ("password_a", "first"),
    ] {
        let i = app.product.api.fields.iter().position(|f| f.key == k).unwrap();
        app.product.api.fields[i].value = v.into();
    }
    app.product.api.focus = app.product.api.button();
    let first = app.on_key(key(KeyCode::Enter));
    assert!(
        matches!(first.as_slice(), [Command::SignIn { attempt: 1, .. }]),
        "{first:?}"
    );
    app.on_key(key(KeyCode::Esc));
    assert!(app.product.api.signing.is_none());
    let second = app.on_key(key(KeyCode::Enter));
    assert!(
        matches!(second.as_slice(), [Command::SignIn { attempt: 2, .. }]),
        "{second:?}"
    );
    // The first attempt's success arrives late: nothing starts.
    assert!(app.on_signed_in(1, vec![(Who::A, Ok(()))]).is_empty());
    assert!(app.product.api.signing.is_some() && app.assessment.is_none());
    // The second attempt's refusal is what shows.
    assert!(
        app.on_signed_in(2, vec![(Who::A, Err("refused (401)".into()))])
            .is_empty()
    );
    assert_eq!(app.screen, Screen::Api);
    assert!(app.assessment.is_none());
    let field = &app.product.api.fields[app.product.api.focus];
    assert!(
        field.error.as_deref().is_some_and(|e| e.contains("refused (401)")),
        "{field:?}"
    );
}

/// A token pasted where the account's variable name goes is refused and hidden on screen.
#[test]
fn a_token_typed_as_an_account_is_hidden() {
    let data = tempfile::tempdir().unwrap();
    let mut app = app(data.path());
    let (mut runner, _rx) = runner(ProbeCtx::default());
    to_form(&mut app, &mut runner, 0);
    press(&mut app, &mut runner, &typed("Acme Chat"));
    app.product.focus = app.product.api_row();
    press(&mut app, &mut runner, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Api);
    to_api_field(&mut app, &mut runner, "account_a");
    let token = "sk_live_51Habcdefghijklmnopqrstuvwx0123456789";
    press(&mut app, &mut runner, &typed(token));
    let field = &app.product.api.fields[app.product.api.focus];
    assert!(
        field.error.as_deref().is_some_and(|e| e.contains("looks like a token")),
        "{field:?}"
    );
    let shown = screen_text(&app);
    assert!(!shown.contains("sk_live"), "{shown}");
}
