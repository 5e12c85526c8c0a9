//! The product form's state and keys: the target's fields with inline validation, the
//! permission for active checks, and starting the assessment from them.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::api::ApiState;
use super::{App, Command, Screen};
use crate::assessment::Assessment;
use crate::target::{self, Active, Auth, Product, Target, TargetFile};

/// The product form.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductState {
    pub fields: Vec<Field>,
    /// The focused row: a field, then the consent toggle (`fields.len()`), the link to the API
    /// page ([`ProductState::api_row`]), then the continue button ([`ProductState::button`]).
    pub focus: usize,
    pub active_allowed: bool,
    /// A target file the form was filled from (`launchready demo`, `--target`): what the form
    /// does not show (build folder, canary variable, limits) is taken from it.
    pub base: Option<TargetFile>,
    /// The API page: routes and test accounts.
    pub api: ApiState,
    /// Whether the API page has been shown (Continue shows it once when there is an API).
    pub api_seen: bool,
}

impl ProductState {
    /// The row of the link to the API page.
    pub fn api_row(&self) -> usize {
        self.fields.len() + 1
    }

    /// The row of the continue button.
    pub fn button(&self) -> usize {
        self.fields.len() + 2
    }

    pub(super) fn new() -> ProductState {
        ProductState {
            fields: fields(),
            focus: 0,
            active_allowed: false,
            base: None,
            api: ApiState {
                fields: super::api::fields(),
                focus: 0,
                suggestions: vec![],
                discovered: None,
                discovering: false,
                discovery: (0, 0),
                signing: None,
                attempts: 0,
            },
            api_seen: false,
        }
    }
}

/// A field of the target form.
#[derive(Clone, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub value: String,
    pub error: Option<String>,
    /// A password: shown as dots, never printed.
    pub secret: bool,
    /// A value that looks like a token typed where a name belongs: shown as dots too.
    pub hidden: bool,
}

impl Field {
    pub(super) fn new(key: &'static str, label: &'static str, help: &'static str) -> Field {
        Field {
            key,
            label,
            help,
            value: String::new(),
            error: None,
            secret: false,
            hidden: false,
        }
    }

    /// The value as the screen shows it: a secret as one dot per character.
    pub fn shown(&self) -> String {
        if self.secret || self.hidden {
            "•".repeat(self.value.chars().count())
        } else {
            self.value.clone()
        }
    }
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("key", &self.key)
            .field("value", &self.shown())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
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
    let f = Field::new;
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
    /// Fills the form from a target file and shows it, ready to continue (the demo's start).
    pub fn prefill(&mut self, target: &TargetFile) {
        self.new_assessment();
        if let Some(i) = self.catalog.all().iter().position(|c| c.id == target.product.vertical) {
            self.vertical.cursor = i;
        }
        let t = &target.target;
        let join = |v: &[String]| v.join(", ");
        for field in &mut self.product.fields {
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
        self.product.active_allowed = target.active.allowed;
        self.prefill_api(target);
        self.product.api_seen = true;
        self.product.base = Some(target.clone());
        self.screen = Screen::Target;
        self.product.focus = self.product.button();
    }

    pub(super) fn on_target_key(&mut self, key: KeyEvent) -> Vec<Command> {
        let n = self.product.fields.len();
        // The consent toggle, the API page's link and the continue button follow the fields.
        let consent = n;
        let rows = n + 3;
        let focus = self.product.focus;
        match key.code {
            KeyCode::Esc => self.go_back(),
            KeyCode::Enter if focus == self.product.button() => return self.continue_product(),
            KeyCode::Enter if focus == self.product.api_row() => return self.open_api(),
            KeyCode::Tab | KeyCode::Down | KeyCode::Enter => self.product.focus = (focus + 1) % rows,
            KeyCode::BackTab | KeyCode::Up => self.product.focus = (focus + rows - 1) % rows,
            KeyCode::Char(' ') if focus == consent => {
                self.product.active_allowed = !self.product.active_allowed;
            }
            KeyCode::Char('y') if focus == consent => self.product.active_allowed = true,
            KeyCode::Char('n') if focus == consent => self.product.active_allowed = false,
            KeyCode::Backspace if focus < n => {
                self.product.fields[focus].value.pop();
                self.validate_field(focus);
            }
            KeyCode::Char(c) if focus < n && !key.modifiers.contains(KeyModifiers::CONTROL) => {
                if self.product.fields[focus].value.chars().count() < 300 {
                    self.product.fields[focus].value.push(c);
                }
                self.validate_field(focus);
            }
            _ => {}
        }
        vec![]
    }

    /// Shows the API page, and looks for routes to suggest when there is something new to look
    /// at (the API's OpenAPI document, the code folder).
    fn open_api(&mut self) -> Vec<Command> {
        self.product.api_seen = true;
        self.product.api.focus = 0;
        self.screen = Screen::Api;
        // Only where to look needs to be right: the API address and the code folder.
        let usable = (0..self.product.fields.len())
            .filter(|&i| matches!(self.product.fields[i].key, "api_base" | "repo"))
            .collect::<Vec<_>>()
            .into_iter()
            .all(|i| self.validate_field(i));
        if usable { self.discovery() } else { vec![] }
    }

    /// Continue on the first page: the API page the first time there is an API to describe,
    /// else the sign-in (when accounts sign in) and the assessment.
    fn continue_product(&mut self) -> Vec<Command> {
        if !self.validate_product() {
            self.message = Some("Fix the fields marked ✘ first.".into());
            return vec![];
        }
        if self.value("api_base").is_some() && !self.product.api_seen {
            let commands = self.open_api();
            self.message = Some("One more page: what launchready needs to check your API.".into());
            return commands;
        }
        self.start_from_api()
    }

    fn value(&self, key: &str) -> Option<String> {
        self.product
            .fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Inline validation of one field; returns whether it is acceptable.
    fn validate_field(&mut self, index: usize) -> bool {
        let field = &self.product.fields[index];
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
        self.product.fields[index].error = error;
        ok
    }

    /// Validates every field of the first page (not stopping at the first, so all errors show
    /// at once) and focuses the first in error.
    pub(super) fn validate_product(&mut self) -> bool {
        let all_ok = (0..self.product.fields.len())
            .map(|i| self.validate_field(i))
            // Every field, not stopping at the first, so all errors show at once.
            .filter(|ok| !ok)
            .count()
            == 0;
        if !all_ok {
            self.screen = Screen::Target;
            self.product.focus = self.product.fields.iter().position(|f| f.error.is_some()).unwrap_or(0);
        }
        all_ok
    }

    /// The target the form describes (both pages); what the form does not show comes from the
    /// target file it was filled from, when there is one.
    pub fn form_target(&self) -> TargetFile {
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
        let base = self.product.base.as_ref();
        let mut target = TargetFile {
            product: Product {
                name: self.value("name").unwrap_or_default(),
                vertical: self.catalog.all()[self.vertical.cursor].id.clone(),
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
                ..base.map(|b| b.target.clone()).unwrap_or_default()
            },
            auth: Auth::default(),
            active: Active {
                allowed: self.product.active_allowed,
                ..base.map(|b| b.active.clone()).unwrap_or_default()
            },
        };
        self.api_into(&mut target.target, &mut target.auth, base);
        target
    }

    /// Opens a new assessment of `target` and starts its checks.
    pub(super) fn begin(&mut self, target: TargetFile) -> Vec<Command> {
        let assessment = Assessment::new(target, &self.catalog.all()[self.vertical.cursor], (self.clock)());
        self.path = Some(self.store.path_for(&assessment));
        self.assessment = Some(assessment);
        self.build_order();
        self.questions.index = 0;
        self.screen = Screen::Probes;
        let checks = self.runnable_checks();
        self.probes.cursor = 0;
        let mut commands = vec![Command::Save];
        if !checks.is_empty() {
            commands.push(Command::RunProbes(checks));
        }
        commands
    }
}
