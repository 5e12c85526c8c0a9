//! The verticals' own rules reach the user: every question shows the numbers its item is judged
//! by, the pause text names the blocker that failed, and the escalation rules apply.

mod common;

use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use launchready::assessment::{AnswerValue, Assessment, Store};
use launchready::checklist::{Catalog, Checklist, Severity};
use launchready::report::model::{self, Options};
use launchready::tui::app::{App, Screen};
use launchready::tui::theme::THEME;

fn catalog() -> Catalog {
    Catalog::builtin().unwrap()
}

/// The question screen of `item` in a new assessment of `checklist`, drawn at 100×60 and
/// squashed (no spaces or line breaks), so wrapped text can be found.
fn question_screen(app: &mut App, checklist: &Checklist, item: &str) -> String {
    let index = app
        .questions
        .order
        .iter()
        .position(|&i| app.checklist().items[i].id == item)
        .unwrap_or_else(|| panic!("{}: {item} is asked", checklist.id));
    app.questions.index = index;
    app.screen = Screen::Questions;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 60)).unwrap();
    terminal
        .draw(|frame| launchready::tui::ui::render(app, &THEME, frame))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let text: String = (0..60)
        .flat_map(|y| (0..100).map(move |x| (x, y)))
        .map(|(x, y)| buffer[(x, y)].symbol().to_string())
        .collect();
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A wizard with a new assessment of `vertical` (no addresses: every item is a question).
fn wizard(vertical: &str, data: &std::path::Path) -> App {
    let mut app = App::new(catalog(), Store::new(data.to_path_buf()));
    app.prefill(&common::reports::target(vertical, "Acme", "Acme Ltd"));
    // The fixture target names addresses; drop them so nothing is probed.
    for field in &mut app.product.fields {
        if !matches!(field.key, "name" | "client") {
            field.value.clear();
        }
    }
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(app.screen, Screen::Probes, "{:?}", app.message);
    app
}

#[test]
fn every_question_shows_the_numbers_its_item_is_judged_by() {
    let data = tempfile::tempdir().unwrap();
    for checklist in catalog().all() {
        let mut app = wizard(&checklist.id, data.path());
        let mut shown = 0;
        for item in checklist.items.iter().filter(|i| !i.thresholds.is_empty()) {
            let screen = question_screen(&mut app, checklist, &item.id);
            assert!(screen.contains("Thenumberstomeet"), "{} {}", checklist.id, item.id);
            for id in &item.thresholds {
                let t = checklist.threshold(id).unwrap();
                assert!(
                    screen.contains(&squash(&t.amount())),
                    "{} {}: {} ({}) is not shown",
                    checklist.id,
                    item.id,
                    id,
                    t.amount()
                );
                shown += 1;
            }
            if item.question.is_some() {
                assert!(
                    screen.contains(&squash(&item.pass)[..squash(&item.pass).len().min(60)]),
                    "{} {}: the pass criteria are not shown",
                    checklist.id,
                    item.id
                );
            }
        }
        assert!(shown >= 3, "{}: only {shown} numbers shown", checklist.id);
    }
}

/// Each vertical's numbers are on the items they judge; only the pause and escalation rules'
/// own numbers are not on an item.
#[test]
fn every_threshold_of_a_vertical_judges_an_item() {
    const RULES_ONLY: [&str; 3] = ["launch.pause_min", "launch.pause_max", "escalation.max_failed_places"];
    for checklist in catalog().all() {
        for t in &checklist.thresholds {
            let used = checklist.items.iter().any(|i| i.thresholds.contains(&t.id));
            assert!(
                used || RULES_ONLY.contains(&t.id.as_str()),
                "{}: threshold {} judges no item",
                checklist.id,
                t.id
            );
        }
    }
}

/// The numbers the seeds insist on, in the words the question shows.
#[test]
fn the_seeds_numbers_read_as_the_founder_sees_them() {
    let catalog = catalog();
    let amount = |vertical: &str, id: &str| catalog.get(vertical).unwrap().threshold(id).unwrap().amount();
    assert_eq!(
        amount("marketplace", "ratelimit.login"),
        "10 per IP address every 10 minutes"
    );
    assert_eq!(amount("marketplace", "ratelimit.chat"), "30 per user per minute");
    assert_eq!(
        amount("marketplace", "ratelimit.verification_resend"),
        "5 per email address per hour"
    );
    assert_eq!(amount("b2b-service", "alert.within"), "5 minutes");
    assert_eq!(amount("b2b-service", "latency.p95"), "500 ms");
    assert_eq!(amount("internal-ops", "latency.p95_model_bound"), "1.5 s");
    assert_eq!(amount("coaching", "dmarc.min_policy"), "p=quarantine");
    assert_eq!(amount("b2b-service", "dmarc.min_policy"), "p=none");
    assert_eq!(amount("ecommerce", "health.poll_interval"), "1 minute");
    // The DMARC question names the policy its vertical requires, not "strong enough".
    for checklist in catalog.all() {
        let item = checklist.item("email.dmarc_policy").unwrap();
        let policy = checklist.threshold("dmarc.min_policy").unwrap().amount();
        let q = item.question.as_ref().unwrap();
        let words = format!("{} {} {}", q.text, q.yes, item.pass);
        assert!(words.contains(&policy), "{}: {words}", checklist.id);
    }
}

/// No question or pass text points at a number it does not name.
#[test]
fn no_wording_is_circular() {
    const CIRCULAR: [&str; 5] = [
        "this checklist's",
        "as strict as",
        "strong enough",
        "the limit above",
        "this many",
    ];
    for checklist in catalog().all() {
        for item in &checklist.items {
            let mut texts = vec![item.pass.as_str(), item.title.as_str()];
            if let Some(q) = &item.question {
                texts.extend([q.text.as_str(), q.yes.as_str(), q.why.as_str()]);
            }
            for text in texts {
                for phrase in CIRCULAR {
                    assert!(
                        !text.to_lowercase().contains(phrase),
                        "{} {}: `{phrase}` in {text}",
                        checklist.id,
                        item.id
                    );
                }
            }
        }
        for t in &checklist.thresholds {
            assert!(!t.text.contains("this many"), "{}: {}", checklist.id, t.text);
        }
    }
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

/// An assessment of `checklist` with every item answered yes except `failed`, answered no.
fn answered(checklist: &Checklist, failed: &[&str]) -> Assessment {
    let mut a = Assessment::new(
        common::reports::target(&checklist.id, "Acme", "Acme Ltd"),
        checklist,
        now(),
    );
    for item in &checklist.items {
        let value = if failed.contains(&item.id.as_str()) {
            AnswerValue::No
        } else {
            AnswerValue::Yes
        };
        a.answer(&item.id, value, None, now());
    }
    a
}

/// In every vertical, a failed blocker other than the login (the secrets in logs) pauses the
/// launch in its own words: the pause text names it and what breaks, first.
#[test]
fn the_pause_text_names_the_blocker_that_failed() {
    for checklist in catalog().all() {
        let item = checklist.item("secrets.logs").unwrap();
        assert_eq!(item.severity, Severity::Blocker, "{}", checklist.id);
        let report = model::build(checklist, &answered(checklist, &["secrets.logs"]), &Options::default());
        assert!(report.summary.pause_launch.is_some(), "a blocker failed");
        let reasons = &report.summary.pause_reasons;
        assert_eq!(reasons.len(), 1, "{}: {reasons:?}", checklist.id);
        assert!(
            reasons[0].starts_with(&format!("{}: answered no.", item.title)),
            "{reasons:?}"
        );
        assert!(reasons[0].contains(item.breaks.trim()), "{}: {reasons:?}", checklist.id);
    }
    // Nothing failed: no pause.
    let b2b = catalog().get("b2b-service").unwrap().clone();
    assert!(
        model::build(&b2b, &answered(&b2b, &[]), &Options::default())
            .summary
            .pause_launch
            .is_none()
    );
}

/// Coaching: more than two failed places calls for the senior-engineer sprint; two do not.
#[test]
fn coaching_escalates_past_two_failures() {
    let catalog = catalog();
    let coaching = catalog.get("coaching").unwrap();
    let medium: Vec<&str> = coaching
        .items
        .iter()
        .filter(|i| i.severity == Severity::High)
        .map(|i| i.id.as_str())
        .take(3)
        .collect();
    // Low failures never escalate (the product may still be ready).
    let low: Vec<&str> = coaching
        .items
        .iter()
        .filter(|i| i.severity == Severity::Low)
        .map(|i| i.id.as_str())
        .take(3)
        .collect();
    assert_eq!(
        model::build(coaching, &answered(coaching, &low), &Options::default())
            .summary
            .escalation,
        None
    );
    let two = model::build(coaching, &answered(coaching, &medium[..2]), &Options::default());
    assert_eq!(two.summary.escalation, None);
    let three = model::build(coaching, &answered(coaching, &medium), &Options::default());
    let escalation = three.summary.escalation.clone().expect("three failures escalate");
    assert!(
        escalation.starts_with("3 blocker and high-severity items fail, more than 2."),
        "{escalation}"
    );
    assert!(escalation.contains("experienced engineer"), "{escalation}");
    let md =
        String::from_utf8(launchready::report::render(launchready::report::Format::Markdown, &three, None).unwrap())
            .unwrap();
    assert!(
        md.contains("**Bring in a senior engineer.** 3 blocker and high-severity"),
        "{md}"
    );
}

/// B2B: a failure in any of its listed areas escalates; one elsewhere does not.
#[test]
fn b2b_escalates_on_a_failure_in_its_areas() {
    use launchready::checklist::Area;
    let catalog = catalog();
    let b2b = catalog.get("b2b-service").unwrap();
    let in_area = b2b
        .items
        .iter()
        .find(|i| i.area == Area::Email && i.severity <= Severity::High)
        .unwrap();
    let outside = b2b
        .items
        .iter()
        .find(|i| !b2b.escalate_areas.contains(&i.area))
        .expect("an item outside the escalation areas");
    let report = model::build(b2b, &answered(b2b, &[&in_area.id]), &Options::default());
    let escalation = report.summary.escalation.expect("an email failure escalates");
    assert!(
        escalation.starts_with("An item fails in the area “Email”."),
        "{escalation}"
    );
    let report = model::build(b2b, &answered(b2b, &[&outside.id]), &Options::default());
    assert_eq!(report.summary.escalation, None, "{}", outside.id);
}

/// B2B accepts a p95 over 500 ms when the slow calls run through a written-down queue: a failed
/// latency check and a "yes" pass the item (no note needed), and the report says why. Other
/// verticals allow no such thing: there the "yes" needs a note to count.
#[test]
fn b2b_scores_latency_by_its_alternative() {
    use launchready::probe::Status;
    use launchready::score::{self, DecidedBy, ItemStatus};
    let catalog = catalog();
    for (vertical, passes) in [("b2b-service", true), ("ecommerce", false)] {
        let checklist = catalog.get(vertical).unwrap();
        let mut a = answered(checklist, &[]);
        a.record(common::reports::result(
            "api.latency",
            Status::Fail,
            "p95 is 1.8 s, over the 500 ms limit.",
        ));
        a.answer("perf.latency", AnswerValue::Yes, None, now());
        let card = score::score(checklist, &a);
        let item = card.item("perf.latency").unwrap();
        if passes {
            assert_eq!(item.status, ItemStatus::Pass, "{vertical}");
            assert_eq!(item.decided_by, DecidedBy::Alternative);
            let report = model::build(checklist, &a, &Options::default());
            let md = String::from_utf8(
                launchready::report::render(launchready::report::Format::Markdown, &report, None).unwrap(),
            )
            .unwrap();
            assert!(md.contains("Passes by the accepted alternative"), "{md}");
            assert!(md.contains("1.8 s"), "the check's finding stays in the report");
        } else {
            assert_eq!(item.status, ItemStatus::Fail, "{vertical}");
            assert!(item.override_refused);
        }
    }
}

/// In the wizard, "yes" to b2b's latency question against a failed check asks for no note, and
/// the question shows the alternative.
#[test]
fn the_wizard_takes_the_alternative_without_a_note() {
    use launchready::probe::Status;
    use launchready::tui::app::{Overlay, ProbeState};
    let data = tempfile::tempdir().unwrap();
    let mut app = wizard("b2b-service", data.path());
    let result = common::reports::result("api.latency", Status::Fail, "p95 is 1.8 s.");
    app.on_probe("api.latency".into(), ProbeState::Done(result));
    let checklist = app.checklist().clone();
    let screen = question_screen(&mut app, &checklist, "perf.latency");
    assert!(screen.contains("Italsopasses,answeredyes,when"), "{screen}");
    app.on_key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE));
    assert_eq!(app.overlay, Overlay::None, "no note is asked");
    assert_eq!(
        app.assessment.as_ref().unwrap().answers["perf.latency"].value,
        AnswerValue::Yes
    );
}
