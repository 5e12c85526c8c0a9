//! The wizard's state and its key handling: a plain struct, one `match` per screen, and
//! [`Command`]s for everything that touches the outside world (saving, probes, export), so the
//! whole flow can be driven by key events in tests without a terminal.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

use crate::assessment::{AnswerValue, Assessment, Listed, Store};
use crate::checklist::{Catalog, Checklist, Item};
use crate::report::Format;
use crate::result::{ProbeResult, Status};
use crate::score::{self, ItemStatus};
use crate::target::{self, Active, Auth, Product, Target, TargetFile};

/// The screens of the flow, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Start,
    Vertical,
    Target,
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
    CancelProbes(Vec<String>),
    Export {
        formats: Vec<crate::report::Format>,
        folder: PathBuf,
    },
    Quit,
}

/// One row of the automated-checks screen.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeState {
    Running { since: Instant },
    Done(ProbeResult),
    Cancelled,
}

/// A field of the target form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub value: String,
    pub error: Option<String>,
}

/// The export form's folder row and write button (after the four format rows).
pub const EXPORT_FOLDER: usize = 4;
pub const EXPORT_BUTTON: usize = 5;

/// The choices of the export screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportForm {
    /// Whether each of [`Format::ALL`] (Markdown, PDF, JSON, SARIF) is chosen.
    pub formats: [bool; 4],
    pub folder: String,
    /// 0–3: the formats, 4: the folder, 5: the write button.
    pub focus: usize,
    pub written: Vec<PathBuf>,
    pub error: Option<String>,
}

/// The wizard.
pub struct App {
    pub screen: Screen,
    pub overlay: Overlay,
    pub catalog: Catalog,
    pub store: Store,
    /// Saved assessments, for the start screen.
    pub listed: Vec<Listed>,
    pub start_cursor: usize,
    pub vertical_cursor: usize,
    pub fields: Vec<Field>,
    pub field_focus: usize,
    pub active_allowed: bool,
    pub assessment: Option<Assessment>,
    pub path: Option<PathBuf>,
    pub probes: BTreeMap<String, ProbeState>,
    pub probe_cursor: usize,
    pub question: usize,
    pub show_how: bool,
    /// Rows the question text is scrolled by (the screen clamps it to the text's end).
    pub body_scroll: u16,
    pub score_cursor: usize,
    pub export: ExportForm,
    /// One line at the bottom: what just happened.
    pub message: Option<String>,
    pub clock: fn() -> SystemTime,
    /// The items the questions screen walks through, by index into the checklist.
    pub order: Vec<usize>,
    /// Items that probes can decide in this build (check families that exist).
    pub runnable: fn(&str) -> bool,
    /// A target file the form was filled from (`launchready demo`): what the form does not show
    /// (routes, token variable names) is taken from it.
    pub base: Option<TargetFile>,
}

pub const FIELD_KEYS: [&str; 9] = [
    "name",
    "client",
    "domain",
    "app_url",
    "api_base",
    "health_path",
    "allowed_origins",
    "dkim_selectors",
    "repo",
];

fn fields() -> Vec<Field> {
    let f = |key, label, help| Field {
        key,
        label,
        help,
        value: String::new(),
        error: None,
    };
    vec![
        f(
            "name",
            "Product name",
            "What your customers call it, e.g. Acme Chat. Required.",
        ),
        f(
            "client",
            "Client",
            "Optional: the company you assess it for, if you are a consultant.",
        ),
        f(
            "domain",
            "Email domain",
            "The domain your emails come from, e.g. acme.example. Empty: email checks are asked as questions.",
        ),
        f(
            "app_url",
            "App address",
            "The web address of the app, e.g. https://app.acme.example. Empty: browser checks are skipped.",
        ),
        f(
            "api_base",
            "API address",
            "Where the API answers, e.g. https://api.acme.example. Empty: API checks are asked as questions.",
        ),
        f(
            "health_path",
            "Health path",
            "The API route an uptime monitor calls, e.g. /health. Optional.",
        ),
        f(
            "allowed_origins",
            "Allowed origins",
            "Sites allowed to call the API from a browser, comma-separated. Optional.",
        ),
        f(
            "dkim_selectors",
            "DKIM selectors",
            "Optional, comma-separated: the s= of a received email's DKIM-Signature header.",
        ),
        f(
            "repo",
            "Code folder",
            "Optional: a local checkout of the code, for the secret scan.",
        ),
    ]
}

impl App {
    pub fn new(catalog: Catalog, store: Store) -> App {
        let listed = store.list().unwrap_or_default();
        App {
            screen: Screen::Start,
            overlay: Overlay::None,
            catalog,
            store,
            listed,
            start_cursor: 0,
            vertical_cursor: 0,
            fields: fields(),
            field_focus: 0,
            active_allowed: false,
            assessment: None,
            path: None,
            probes: BTreeMap::new(),
            probe_cursor: 0,
            question: 0,
            show_how: false,
            body_scroll: 0,
            score_cursor: 0,
            export: ExportForm {
                formats: [true, true, true, false],
                folder: ".".into(),
                focus: 0,
                written: vec![],
                error: None,
            },
            message: None,
            clock: SystemTime::now,
            order: Vec::new(),
            runnable: crate::probe::is_runnable,
            base: None,
        }
    }

    /// Fills the form from a target file and shows it, ready to continue (the demo's start).
    pub fn prefill(&mut self, target: &TargetFile) {
        self.new_assessment();
        if let Some(i) = self.catalog.all().iter().position(|c| c.id == target.product.vertical) {
            self.vertical_cursor = i;
        }
        let t = &target.target;
        let join = |v: &[String]| v.join(", ");
        for field in &mut self.fields {
            field.value = match field.key {
                "name" => target.product.name.clone(),
                "client" => target.product.client.clone().unwrap_or_default(),
                "domain" => t.domain.clone().unwrap_or_default(),
                "app_url" => t.app_url.clone().unwrap_or_default(),
                "api_base" => t.api_base.clone().unwrap_or_default(),
                "health_path" => t.health_path.clone().unwrap_or_default(),
                "allowed_origins" => join(&t.allowed_origins),
                "dkim_selectors" => join(&t.dkim_selectors),
                "repo" => t.repo.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
                _ => String::new(),
            };
        }
        self.active_allowed = target.active.allowed;
        self.base = Some(target.clone());
        self.screen = Screen::Target;
        self.field_focus = self.fields.len() + 1;
    }

    /// The checklist of the open assessment (or the one highlighted on the vertical screen).
    pub fn checklist(&self) -> &Checklist {
        let id = self.assessment.as_ref().map_or_else(
            || {
                self.catalog.all()[self.vertical_cursor.min(self.catalog.all().len() - 1)]
                    .id
                    .clone()
            },
            |a| a.checklist.id.clone(),
        );
        self.catalog.get(&id).unwrap_or(&self.catalog.all()[0])
    }

    /// The saved assessments the start screen lists, readable ones only.
    pub fn resumable(&self) -> Vec<&Listed> {
        self.listed.iter().filter(|l| l.assessment.is_ok()).collect()
    }

    /// The item the questions screen shows.
    pub fn current_item(&self) -> Option<&Item> {
        self.order.get(self.question).map(|&i| &self.checklist().items[i])
    }

    /// The checks this assessment's target lets run now.
    pub fn runnable_checks(&self) -> Vec<String> {
        let Some(a) = &self.assessment else {
            return vec![];
        };
        self.checklist()
            .check_ids()
            .into_iter()
            .filter(|c| (self.runnable)(c) && crate::probe::is_configured(c, &a.target))
            .map(str::to_string)
            .collect()
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
        let typing =
            self.screen == Screen::Target || (self.screen == Screen::Export && self.export.focus == EXPORT_FOLDER);
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
                    Screen::Start => self.start_cursor,
                    Screen::Vertical => self.vertical_cursor,
                    Screen::Probes => self.probe_cursor,
                    _ => 0,
                };
                let row = usize::from(mouse.row - list.y) + cursor.saturating_sub(visible - 1);
                match self.screen {
                    Screen::Start if row <= self.resumable().len() => self.start_cursor = row,
                    Screen::Vertical if row < self.catalog.all().len() => self.vertical_cursor = row,
                    Screen::Probes if row < self.probes.len() => self.probe_cursor = row,
                    Screen::Target if row < self.fields.len() => self.field_focus = row,
                    _ => {}
                }
                vec![]
            }
            _ => vec![],
        }
    }

    /// A probe reported: record its result in the assessment and save.
    pub fn on_probe(&mut self, id: String, state: ProbeState) -> Vec<Command> {
        let mut commands = vec![];
        if let (ProbeState::Done(result), Some(a)) = (&state, self.assessment.as_mut()) {
            a.record(result.clone());
            commands.push(Command::Save);
        }
        self.probes.insert(id, state);
        commands
    }

    fn go_back(&mut self) {
        self.screen = match self.screen {
            Screen::Start | Screen::Vertical => Screen::Start,
            Screen::Target => Screen::Vertical,
            Screen::Probes => Screen::Target,
            Screen::Questions => Screen::Probes,
            Screen::Scorecard => Screen::Questions,
            Screen::Export => Screen::Scorecard,
        };
        if self.screen == Screen::Target && self.assessment.is_some() {
            // The target of a started assessment is fixed; back goes to the start.
            self.screen = Screen::Start;
            self.listed = self.store.list().unwrap_or_default();
        }
    }

    fn on_start_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let rows = self.resumable().len() + 1;
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.start_cursor = (self.start_cursor + 1) % rows,
            KeyCode::Up | KeyCode::Char('k') => self.start_cursor = (self.start_cursor + rows - 1) % rows,
            KeyCode::Char('n') => self.new_assessment(),
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => {
                if self.start_cursor == 0 {
                    self.new_assessment();
                } else {
                    return self.resume(self.start_cursor - 1);
                }
            }
            _ => {}
        }
        vec![]
    }

    fn new_assessment(&mut self) {
        self.assessment = None;
        self.path = None;
        self.probes.clear();
        self.fields = fields();
        self.field_focus = 0;
        self.base = None;
        self.screen = Screen::Vertical;
    }

    fn resume(&mut self, index: usize) -> Vec<Command> {
        let Some(listed) = self
            .resumable()
            .get(index)
            .map(|l| (l.path.clone(), l.assessment.as_ref().ok().cloned()))
        else {
            return vec![];
        };
        let (path, Some(assessment)) = listed else {
            return vec![];
        };
        if self.catalog.get(&assessment.checklist.id).is_none() {
            self.message = Some(format!(
                "This assessment uses the `{}` checklist, which is not loaded.",
                assessment.checklist.id
            ));
            return vec![];
        }
        self.probes = assessment
            .probes
            .iter()
            .map(|(id, r)| (id.clone(), ProbeState::Done(r.clone())))
            .collect();
        self.assessment = Some(assessment);
        self.path = Some(path);
        self.build_order();
        // Continue at the first unanswered question.
        let answered = |i: &usize| {
            self.assessment
                .as_ref()
                .is_some_and(|a| a.answers.contains_key(&self.checklist().items[*i].id))
        };
        self.question = self.order.iter().position(|i| !answered(i)).unwrap_or(0);
        self.screen = Screen::Questions;
        vec![]
    }

    fn on_vertical_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let n = self.catalog.all().len();
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.vertical_cursor = (self.vertical_cursor + 1) % n,
            KeyCode::Up | KeyCode::Char('k') => self.vertical_cursor = (self.vertical_cursor + n - 1) % n,
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => self.screen = Screen::Target,
            KeyCode::Esc | KeyCode::Left | KeyCode::Char('h') => self.go_back(),
            _ => {}
        }
        vec![]
    }

    fn on_target_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let n = self.fields.len();
        // The consent toggle and the continue button sit after the text fields.
        let consent = n;
        let button = n + 1;
        match key.code {
            KeyCode::Esc => self.go_back(),
            KeyCode::Enter if self.field_focus == button => return self.start_assessment(),
            KeyCode::Tab | KeyCode::Down | KeyCode::Enter => self.field_focus = (self.field_focus + 1) % (n + 2),
            KeyCode::BackTab | KeyCode::Up => self.field_focus = (self.field_focus + n + 1) % (n + 2),
            KeyCode::Char(' ') if self.field_focus == consent => self.active_allowed = !self.active_allowed,
            KeyCode::Char('y') if self.field_focus == consent => self.active_allowed = true,
            KeyCode::Char('n') if self.field_focus == consent => self.active_allowed = false,
            KeyCode::Backspace if self.field_focus < n => {
                self.fields[self.field_focus].value.pop();
                self.validate_field(self.field_focus);
            }
            KeyCode::Char(c) if self.field_focus < n && !key.modifiers.contains(KeyModifiers::CONTROL) => {
                if self.fields[self.field_focus].value.chars().count() < 300 {
                    self.fields[self.field_focus].value.push(c);
                }
                self.validate_field(self.field_focus);
            }
            _ => {}
        }
        vec![]
    }

    fn value(&self, key: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Inline validation of one field; returns whether it is acceptable.
    fn validate_field(&mut self, index: usize) -> bool {
        let field = &self.fields[index];
        let v = field.value.trim();
        let list = || v.split(',').map(str::trim).filter(|s| !s.is_empty());
        let error = match field.key {
            "name" if v.is_empty() => Some("A name is needed.".to_string()),
            "domain" if !v.is_empty() => target::check_domain(v).err().map(|why| format!("Not a domain: {why}.")),
            "app_url" | "api_base" if !v.is_empty() => target::check_url(v)
                .err()
                .map(|why| format!("Not a web address: {why}.")),
            "health_path" if !v.is_empty() && !v.starts_with('/') => {
                Some("A path starts with /, e.g. /health.".to_string())
            }
            "allowed_origins" => list().find_map(|o| target::check_url(o).err().map(|why| format!("`{o}`: {why}."))),
            "repo" if !v.is_empty() && !std::path::Path::new(v).is_dir() => {
                Some("No such folder on this computer.".to_string())
            }
            _ => None,
        };
        let ok = error.is_none();
        self.fields[index].error = error;
        ok
    }

    fn start_assessment(&mut self) -> Vec<Command> {
        // Validate every field (not stopping at the first) so all errors show at once.
        let all_ok = (0..self.fields.len())
            .map(|i| self.validate_field(i))
            .filter(|ok| !ok)
            .count()
            == 0;
        if !all_ok {
            self.field_focus = self.fields.iter().position(|f| f.error.is_some()).unwrap_or(0);
            self.message = Some("Fix the fields marked ✘ first.".into());
            return vec![];
        }
        let list = |key: &str| {
            self.value(key)
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let target = TargetFile {
            product: Product {
                name: self.value("name").unwrap_or_default(),
                vertical: self.catalog.all()[self.vertical_cursor].id.clone(),
                client: self.value("client"),
            },
            target: Target {
                domain: self
                    .value("domain")
                    .map(|d| d.trim_end_matches('.').to_ascii_lowercase()),
                app_url: self.value("app_url"),
                api_base: self.value("api_base"),
                health_path: self.value("health_path"),
                allowed_origins: list("allowed_origins"),
                repo: self.value("repo").map(PathBuf::from),
                dkim_selectors: list("dkim_selectors"),
                // Routes and the rest come from a prefilled target file, when there is one.
                ..self.base.as_ref().map(|b| b.target.clone()).unwrap_or_default()
            },
            auth: self.base.as_ref().map_or_else(Auth::default, |b| b.auth.clone()),
            active: Active {
                allowed: self.active_allowed,
                ..self.base.as_ref().map(|b| b.active.clone()).unwrap_or_default()
            },
        };
        let assessment = Assessment::new(target, &self.catalog.all()[self.vertical_cursor], (self.clock)());
        self.path = Some(self.store.path_for(&assessment));
        self.assessment = Some(assessment);
        self.build_order();
        self.question = 0;
        self.screen = Screen::Probes;
        let checks = self.runnable_checks();
        self.probe_cursor = 0;
        let mut commands = vec![Command::Save];
        if !checks.is_empty() {
            commands.push(Command::RunProbes(checks));
        }
        commands
    }

    /// Questions in checklist order, blockers first so a short session covers what matters most.
    fn build_order(&mut self) {
        let c = self.checklist();
        let mut order: Vec<usize> = (0..c.items.len()).collect();
        order.sort_by_key(|&i| c.items[i].severity);
        self.order = order;
    }

    fn on_probes_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let ids: Vec<String> = self.probes.keys().cloned().collect();
        let n = ids.len().max(1);
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.probe_cursor = (self.probe_cursor + 1) % n,
            KeyCode::Up | KeyCode::Char('k') => self.probe_cursor = (self.probe_cursor + n - 1) % n,
            KeyCode::Char('r') => {
                return ids
                    .get(self.probe_cursor)
                    .map(|id| vec![Command::RunProbes(vec![id.clone()])])
                    .unwrap_or_default();
            }
            KeyCode::Char('R') => {
                let all = self.runnable_checks();
                return if all.is_empty() {
                    vec![]
                } else {
                    vec![Command::RunProbes(all)]
                };
            }
            KeyCode::Char('c') => {
                return ids
                    .get(self.probe_cursor)
                    .map(|id| vec![Command::CancelProbes(vec![id.clone()])])
                    .unwrap_or_default();
            }
            KeyCode::Char('C') => return vec![Command::CancelProbes(ids)],
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') | KeyCode::Tab => self.screen = Screen::Questions,
            KeyCode::Esc | KeyCode::Left | KeyCode::Char('h') => self.go_back(),
            _ => {}
        }
        vec![]
    }

    /// The probe status that decides `item`, when its checks ran.
    pub fn probe_status(&self, item: &Item) -> Option<ItemStatus> {
        let a = self.assessment.as_ref()?;
        score::combine(item.checks.iter().filter_map(|c| a.probes.get(c)).map(|r| r.status))
    }

    fn on_question_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let n = self.order.len();
        let Some(item) = self.current_item().cloned() else {
            return vec![];
        };
        let answer = match key.code {
            KeyCode::Char('y') => Some(AnswerValue::Yes),
            KeyCode::Char('n') => Some(AnswerValue::No),
            KeyCode::Char('u' | 's') => Some(AnswerValue::Unsure),
            KeyCode::Char('a' | '-') => Some(AnswerValue::NotApplicable),
            _ => None,
        };
        if let Some(value) = answer {
            self.body_scroll = 0;
            return self.answer(&item, value);
        }
        let before = self.question;
        let commands = self.on_question_move(key, &item, n);
        if self.question != before {
            self.body_scroll = 0;
        }
        commands
    }

    fn on_question_move(&mut self, key: KeyEvent, item: &Item, n: usize) -> Vec<Command> {
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.body_scroll = self.body_scroll.saturating_add(1).min(200),
            KeyCode::Up | KeyCode::Char('k') => self.body_scroll = self.body_scroll.saturating_sub(1),
            KeyCode::Right | KeyCode::Char('l') | KeyCode::PageDown | KeyCode::Enter => {
                if self.question + 1 < n {
                    self.question += 1;
                    self.show_how = false;
                } else {
                    self.screen = Screen::Scorecard;
                }
            }
            KeyCode::Left | KeyCode::Char('h') | KeyCode::PageUp => {
                if self.question > 0 {
                    self.question -= 1;
                    self.show_how = false;
                } else {
                    self.go_back();
                }
            }
            KeyCode::Esc => self.go_back(),
            KeyCode::Char('w') | KeyCode::Tab => self.show_how = !self.show_how,
            KeyCode::Char('m') => {
                let buffer = self
                    .assessment
                    .as_ref()
                    .and_then(|a| a.answers.get(&item.id))
                    .and_then(|a| a.note.clone())
                    .unwrap_or_default();
                self.overlay = Overlay::Note {
                    item: item.id.clone(),
                    buffer,
                    pending: None,
                };
            }
            KeyCode::Char('v') => self.screen = Screen::Scorecard,
            KeyCode::Home | KeyCode::Char('g') => self.question = 0,
            KeyCode::End | KeyCode::Char('G') => self.question = n.saturating_sub(1),
            _ => {}
        }
        vec![]
    }

    /// Records an answer; one that contradicts a probe asks for a note first.
    /// Whether answering `value` contradicts the probes' verdict on `item`.
    fn contradicts(&self, item: &Item, value: AnswerValue) -> bool {
        matches!(
            (self.probe_status(item), value),
            (
                Some(ItemStatus::Pass | ItemStatus::Warn),
                AnswerValue::No | AnswerValue::NotApplicable
            ) | (Some(ItemStatus::Fail), AnswerValue::Yes | AnswerValue::NotApplicable)
        )
    }

    fn answer(&mut self, item: &Item, value: AnswerValue) -> Vec<Command> {
        let note = self
            .assessment
            .as_ref()
            .and_then(|a| a.answers.get(&item.id))
            .and_then(|a| a.note.clone());
        if self.contradicts(item, value) {
            // Always ask: a note written for an earlier answer must not justify this one
            // unseen. The old note is offered for editing.
            self.overlay = Overlay::Note {
                item: item.id.clone(),
                buffer: note.unwrap_or_default(),
                pending: Some(value),
            };
            self.message = Some("The automated check says otherwise: a note is needed to override it.".into());
            return vec![];
        }
        self.record(&item.id, value, note);
        if self.question + 1 < self.order.len() {
            self.question += 1;
            self.show_how = false;
        } else {
            self.screen = Screen::Scorecard;
        }
        vec![Command::Save]
    }

    fn record(&mut self, item: &str, value: AnswerValue, note: Option<String>) {
        let now = (self.clock)();
        if let Some(a) = self.assessment.as_mut() {
            a.answer(item, value, note, now);
        }
    }

    fn on_note_key(
        &mut self,
        key: KeyEvent,
        item: String,
        mut buffer: String,
        pending: Option<AnswerValue>,
    ) -> Vec<Command> {
        match key.code {
            KeyCode::Esc => {
                self.overlay = Overlay::None;
                if pending.is_some() {
                    self.message = Some("Not overridden: the automated check's verdict stands.".into());
                }
                vec![]
            }
            KeyCode::Enter => {
                self.overlay = Overlay::None;
                let note = Some(buffer.trim().to_string()).filter(|n| !n.is_empty());
                let overriding = pending.is_some()
                    || self
                        .assessment
                        .as_ref()
                        .and_then(|a| a.answers.get(&item))
                        .is_some_and(|a| {
                            self.checklist()
                                .item(&item)
                                .is_some_and(|it| self.contradicts(it, a.value))
                        });
                if overriding && note.is_none() {
                    self.message = Some("An override needs a note; nothing was changed.".into());
                    return vec![];
                }
                let value = pending.or_else(|| {
                    self.assessment
                        .as_ref()
                        .and_then(|a| a.answers.get(&item).map(|a| a.value))
                });
                let Some(value) = value else {
                    self.message = Some("Answer the question first (y, n, u or a), then add a note.".into());
                    return vec![];
                };
                self.record(&item, value, note);
                if pending.is_some() && self.question + 1 < self.order.len() {
                    self.question += 1;
                }
                vec![Command::Save]
            }
            KeyCode::Backspace => {
                buffer.pop();
                self.overlay = Overlay::Note { item, buffer, pending };
                vec![]
            }
            KeyCode::Char(c) => {
                if buffer.chars().count() < 2_000 {
                    buffer.push(c);
                }
                self.overlay = Overlay::Note { item, buffer, pending };
                vec![]
            }
            _ => vec![],
        }
    }

    fn goto_question(&mut self, item: &str) {
        let c = self.checklist();
        if let Some(pos) = self.order.iter().position(|&i| c.items[i].id == item) {
            self.question = pos;
            self.screen = Screen::Questions;
        }
    }

    /// The scorecard rows in display order: the checklist's items sorted by area.
    pub fn score_rows(&self) -> Vec<usize> {
        let c = self.checklist();
        let mut rows: Vec<usize> = (0..c.items.len()).collect();
        rows.sort_by_key(|&i| (c.items[i].area, c.items[i].severity));
        rows
    }

    fn on_score_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let rows = self.score_rows();
        let n = rows.len().max(1);
        let selected = rows
            .get(self.score_cursor)
            .map(|&i| self.checklist().items[i].id.clone());
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.score_cursor = (self.score_cursor + 1) % n,
            KeyCode::Up | KeyCode::Char('k') => self.score_cursor = (self.score_cursor + n - 1) % n,
            KeyCode::PageDown => self.score_cursor = (self.score_cursor + 10).min(n - 1),
            KeyCode::PageUp => self.score_cursor = self.score_cursor.saturating_sub(10),
            KeyCode::Enter => {
                if let Some(item) = selected {
                    self.overlay = Overlay::Detail { item, scroll: 0 };
                }
            }
            KeyCode::Char('g') => {
                if let Some(item) = selected {
                    self.goto_question(&item);
                }
            }
            KeyCode::Char('x' | 'e') | KeyCode::Right | KeyCode::Tab => self.screen = Screen::Export,
            KeyCode::Esc | KeyCode::Left | KeyCode::Char('h') => self.go_back(),
            _ => {}
        }
        vec![]
    }

    fn on_export_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let e = &mut self.export;
        let rows = EXPORT_BUTTON + 1;
        match key.code {
            KeyCode::Esc => self.go_back(),
            KeyCode::Tab | KeyCode::Down => e.focus = (e.focus + 1) % rows,
            KeyCode::BackTab | KeyCode::Up => e.focus = (e.focus + rows - 1) % rows,
            KeyCode::Char(' ') if e.focus < EXPORT_FOLDER => e.formats[e.focus] = !e.formats[e.focus],
            KeyCode::Backspace if e.focus == EXPORT_FOLDER => {
                e.folder.pop();
            }
            KeyCode::Char(c) if e.focus == EXPORT_FOLDER => e.folder.push(c),
            KeyCode::Enter if e.focus != EXPORT_FOLDER => {
                let formats: Vec<Format> = Format::ALL
                    .into_iter()
                    .zip(e.formats)
                    .filter_map(|(f, on)| on.then_some(f))
                    .collect();
                if formats.is_empty() {
                    e.error = Some("Choose at least one format.".into());
                    return vec![];
                }
                let folder = PathBuf::from(if e.folder.trim().is_empty() {
                    "."
                } else {
                    e.folder.trim()
                });
                return vec![Command::Export { formats, folder }];
            }
            KeyCode::Enter => e.focus = EXPORT_BUTTON,
            _ => {}
        }
        vec![]
    }

    /// The number of answered questions and the number of items.
    pub fn progress(&self) -> (usize, usize) {
        let total = self.order.len();
        let answered = self.assessment.as_ref().map_or(0, |a| {
            self.order
                .iter()
                .filter(|&&i| a.answers.contains_key(&self.checklist().items[i].id))
                .count()
        });
        (answered, total)
    }

    /// Whether a probe is still running (the loop ticks only then).
    pub fn busy(&self) -> bool {
        self.probes.values().any(|p| matches!(p, ProbeState::Running { .. }))
    }

    /// Probe results that are done, for the probes screen's gauge.
    pub fn probes_done(&self) -> usize {
        self.probes
            .values()
            .filter(|p| !matches!(p, ProbeState::Running { .. }))
            .count()
    }

    pub fn status_of(result: &ProbeResult) -> Status {
        result.status
    }
}
