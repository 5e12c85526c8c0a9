//! The wizard's state and its key handling: a plain struct, one `match` per screen, and
//! [`Command`]s for everything that touches the outside world (saving, probes, export), so the
//! whole flow can be driven by key events in tests without a terminal.
//!
//! This file owns what every screen shares (the screen, the overlay, the catalog, the store, the
//! open assessment) and the dispatch of keys, mouse events and probe results; each screen's state
//! and keys are in a file of its own, named after the screen.

mod api;
mod export;
mod probes;
mod questions;
mod scorecard;
mod start;
mod target;
mod vertical;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

pub use self::api::{ApiState, DEFAULT_CHAT_BODY};
pub use self::export::{EXPORT_BUTTON, EXPORT_FOLDER, EXPORT_TARGET, ExportForm};
pub use self::probes::ProbesState;
pub use self::questions::QuestionState;
pub use self::scorecard::ScoreState;
pub use self::start::StartState;
pub use self::target::{FIELD_KEYS, Field, ProductState};
pub use self::vertical::VerticalState;
use crate::assessment::{AnswerValue, Assessment, Store};
use crate::checklist::{Catalog, Checklist};
use crate::result::ProbeResult;

/// The screens of the flow, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Start,
    Vertical,
    Target,
    /// The product form's second page: API routes and test accounts.
    Api,
    Probes,
    Questions,
    Scorecard,
    Export,
}

impl Screen {
    pub fn title(self) -> &'static str {
        match self {
            Screen::Start => "Start",
            Screen::Vertical => "Business",
            Screen::Target => "Product",
            Screen::Api => "API and test accounts",
            Screen::Probes => "Automated checks",
            Screen::Questions => "Questions",
            Screen::Scorecard => "Scorecard",
            Screen::Export => "Export",
        }
    }
}

/// What sits over the current screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    ConfirmQuit,
    /// Writing the note of an answer; `pending` is the answer waiting for it (an override).
    Note {
        item: String,
        buffer: String,
        pending: Option<AnswerValue>,
    },
    /// The evidence and fix of one scorecard item.
    Detail {
        item: String,
        scroll: u16,
    },
}

/// Work for the event loop: everything that leaves the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Write the assessment to its file (atomically).
    Save,
    /// Start these checks (cancelling any run of the same id).
    RunProbes(Vec<String>),
    /// Sign in the test accounts `target` names emails for, then report to
    /// [`App::on_signed_in`]; the passwords go no further than the probe engine.
    SignIn {
        target: Box<crate::target::TargetFile>,
        passwords: crate::probe::api::signin::Passwords,
        /// The attempt's number, handed back with the outcome.
        attempt: u64,
    },
    /// Look for routes to suggest on the API page (the target's OpenAPI document and code
    /// folder), then report to [`App::on_discovered`].
    Discover(Box<crate::target::TargetFile>, u64),
    /// Stop every check (the open assessment changed).
    StopProbes,
    CancelProbes(Vec<String>),
    /// Write the report in these formats into `folder`, and the target file when asked.
    Export {
        formats: Vec<crate::report::Format>,
        folder: PathBuf,
        target_file: bool,
    },
    Quit,
}

/// One row of the automated-checks screen.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeState {
    /// Running since then; `note` is its latest progress line ("your API asked to wait 36 s").
    Running {
        since: Instant,
        note: Option<String>,
    },
    Done(ProbeResult),
    Cancelled,
}

/// The wizard: what every screen shares (the catalog, the store, the open assessment and its
/// file, the message line), then the state of each screen.
pub struct App {
    pub screen: Screen,
    pub overlay: Overlay,
    pub catalog: Catalog,
    pub store: Store,
    pub assessment: Option<Assessment>,
    pub path: Option<PathBuf>,
    /// One line at the bottom: what just happened.
    pub message: Option<String>,
    pub clock: fn() -> SystemTime,
    /// Items that probes can decide in this build (check families that exist).
    pub runnable: fn(&str) -> bool,
    pub start: StartState,
    pub vertical: VerticalState,
    pub product: ProductState,
    pub probes: ProbesState,
    pub questions: QuestionState,
    pub score: ScoreState,
    pub export: ExportForm,
}

impl App {
    pub fn new(catalog: Catalog, store: Store) -> App {
        let listed = store.list().unwrap_or_default();
        App {
            screen: Screen::Start,
            overlay: Overlay::None,
            catalog,
            store,
            assessment: None,
            path: None,
            message: None,
            clock: SystemTime::now,
            runnable: crate::probe::is_runnable,
            start: StartState { listed, cursor: 0 },
            vertical: VerticalState { cursor: 0 },
            product: ProductState::new(),
            probes: ProbesState {
                states: BTreeMap::new(),
                cursor: 0,
            },
            questions: QuestionState {
                index: 0,
                show_how: false,
                body_scroll: 0,
                order: Vec::new(),
            },
            score: ScoreState { cursor: 0 },
            export: ExportForm {
                formats: [true, true, true, false],
                target_file: false,
                folder: ".".into(),
                focus: 0,
                written: vec![],
                error: None,
                writing: None,
            },
        }
    }

    /// The checklist of the open assessment (or the one highlighted on the vertical screen).
    pub fn checklist(&self) -> &Checklist {
        let id = self.assessment.as_ref().map_or_else(
            || {
                self.catalog.all()[self.vertical.cursor.min(self.catalog.all().len() - 1)]
                    .id
                    .clone()
            },
            |a| a.checklist.id.clone(),
        );
        self.catalog.get(&id).unwrap_or(&self.catalog.all()[0])
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Command> {
        if key.kind == KeyEventKind::Release {
            return vec![];
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return vec![Command::Quit];
        }
        self.message = None;
        match self.overlay.clone() {
            Overlay::None => {}
            Overlay::Help => {
                self.overlay = Overlay::None;
                return vec![];
            }
            Overlay::ConfirmQuit => {
                return match key.code {
                    KeyCode::Char('y' | 'q') | KeyCode::Enter => {
                        self.overlay = Overlay::None;
                        vec![Command::Quit]
                    }
                    _ => {
                        self.overlay = Overlay::None;
                        vec![]
                    }
                };
            }
            Overlay::Note { item, buffer, pending } => return self.on_note_key(key, item, buffer, pending),
            Overlay::Detail { item, scroll } => {
                match key.code {
                    KeyCode::Down | KeyCode::Char('j') => {
                        self.overlay = Overlay::Detail {
                            item,
                            scroll: scroll.saturating_add(1),
                        }
                    }
                    KeyCode::Up | KeyCode::Char('k') => {
                        self.overlay = Overlay::Detail {
                            item,
                            scroll: scroll.saturating_sub(1),
                        }
                    }
                    KeyCode::Char('g') => {
                        self.overlay = Overlay::None;
                        self.goto_question(&item);
                    }
                    _ => self.overlay = Overlay::None,
                }
                return vec![];
            }
        }
        let typing = matches!(self.screen, Screen::Target | Screen::Api)
            || (self.screen == Screen::Export && self.export.focus == EXPORT_FOLDER);
        if !typing {
            match key.code {
                KeyCode::Char('?') => {
                    self.overlay = Overlay::Help;
                    return vec![];
                }
                KeyCode::Char('q') => {
                    // Everything is saved as it changes; asking guards against a stray key.
                    self.overlay = Overlay::ConfirmQuit;
                    return vec![];
                }
                _ => {}
            }
        }
        match self.screen {
            Screen::Start => self.on_start_key(key),
            Screen::Vertical => self.on_vertical_key(key),
            Screen::Target => self.on_target_key(key),
            Screen::Api => self.on_api_key(key),
            Screen::Probes => self.on_probes_key(key),
            Screen::Questions => self.on_question_key(key),
            Screen::Scorecard => self.on_score_key(key),
            Screen::Export => self.on_export_key(key),
        }
    }

    /// Mouse: the wheel moves the selection, a click on a list row selects it. `list` is where
    /// the current screen's list is drawn (one line per row).
    pub fn on_mouse(&mut self, mouse: MouseEvent, list: ratatui::layout::Rect) -> Vec<Command> {
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        let up = KeyEvent::new(KeyCode::Up, KeyModifiers::NONE);
        match mouse.kind {
            MouseEventKind::ScrollDown => self.on_key(down),
            MouseEventKind::ScrollUp => self.on_key(up),
            MouseEventKind::Down(_) if mouse.row >= list.y && mouse.row < list.y + list.height => {
                // A list longer than its area is scrolled so the selection is the last visible
                // row (ratatui's ListState from a zero offset): add that offset back.
                let visible = usize::from(list.height).max(1);
                let cursor = match self.screen {
                    Screen::Start => self.start.cursor,
                    Screen::Vertical => self.vertical.cursor,
                    Screen::Probes => self.probes.cursor,
                    _ => 0,
                };
                let row = usize::from(mouse.row - list.y) + cursor.saturating_sub(visible - 1);
                match self.screen {
                    Screen::Start if row <= self.resumable().len() => self.start.cursor = row,
                    Screen::Vertical if row < self.catalog.all().len() => self.vertical.cursor = row,
                    Screen::Probes if row < self.probes.states.len() => self.probes.cursor = row,
                    Screen::Target if row < self.product.fields.len() => self.product.focus = row,
                    Screen::Api if row < self.product.api.fields.len() => self.product.api.focus = row,
                    _ => {}
                }
                vec![]
            }
            _ => vec![],
        }
    }

    /// The probe engine reported: a finished check is recorded, a progress line shown. Only
    /// checks this assessment is running count: a result that arrives for anything else (an
    /// assessment left behind, a run cancelled meanwhile) is dropped.
    pub fn on_event(&mut self, event: crate::probe::engine::Event) -> Vec<Command> {
        use crate::probe::engine::Event;
        let id = match &event {
            Event::Started { id } | Event::Progress { id, .. } => id.clone(),
            Event::Finished(result) => result.id.clone(),
        };
        let Some(ProbeState::Running { since, note }) = self.probes.states.get_mut(&id) else {
            return vec![];
        };
        match event {
            Event::Started { .. } => {
                *since = Instant::now();
                *note = None;
                vec![]
            }
            Event::Progress { message, .. } => {
                *note = Some(message);
                vec![]
            }
            Event::Finished(result) => self.on_probe(id, ProbeState::Done(result)),
        }
    }

    /// A probe reported: record its result in the assessment and save.
    pub fn on_probe(&mut self, id: String, state: ProbeState) -> Vec<Command> {
        let mut commands = vec![];
        if let (ProbeState::Done(result), Some(a)) = (&state, self.assessment.as_mut()) {
            a.record(result.clone());
            commands.push(Command::Save);
        }
        self.probes.states.insert(id, state);
        commands
    }

    fn go_back(&mut self) {
        self.screen = match self.screen {
            Screen::Start | Screen::Vertical => Screen::Start,
            Screen::Target => Screen::Vertical,
            Screen::Api | Screen::Probes => Screen::Target,
            Screen::Questions => Screen::Probes,
            Screen::Scorecard => Screen::Questions,
            Screen::Export => Screen::Scorecard,
        };
        if self.screen == Screen::Target && self.assessment.is_some() {
            // The target of a started assessment is fixed; back goes to the start.
            self.screen = Screen::Start;
            self.start.listed = self.store.list().unwrap_or_default();
        }
    }
}
