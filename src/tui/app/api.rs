//! The API page of the product form: the routes the account checks need (private, admin,
//! webhook, chat, sign-in) and the two test accounts, each a token variable or an email and a
//! password to sign in with. Validated as typed, by the target file's own rules.
//!
//! Passwords live in this page's fields only until the sign-in: they go to the probe engine in
//! [`Command::SignIn`] and the fields are emptied once it worked. They are never saved, and the
//! screen shows them as dots.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::target::Field;
use super::{App, Command, Screen};
use crate::discover::{Kind, Suggestion};
use crate::probe::api::Who;
use crate::probe::api::signin::Passwords;
use crate::target::{self, Auth, Chat, Login, Route, SignIn, Target, TargetFile, Webhook};

/// The longest value a field of the page takes.
const MAX_FIELD_CHARS: usize = 2_000;

/// The body of the chat request when the form gives none.
pub const DEFAULT_CHAT_BODY: &str = r#"{"message": "{{prompt}}"}"#;

/// The API page.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiState {
    pub fields: Vec<Field>,
    /// The focused row: a field, then a suggestion, then the continue button
    /// ([`ApiState::button`]).
    pub focus: usize,
    /// Routes found in the API's OpenAPI document or the code folder; one is ticked when its
    /// route is in its field ([`App::suggestion_used`]).
    pub suggestions: Vec<Suggestion>,
    /// What discovery last looked at (API address, code folder), and whether it still runs.
    pub discovered: Option<(Option<String>, Option<std::path::PathBuf>)>,
    pub discovering: bool,
    /// The number of the latest discovery, and how many of its answers (the API's, the
    /// code's) are still to come: an answer to an earlier one is ignored.
    pub discovery: (u64, u8),
    /// Signing in the test accounts since then, before the checks start: the attempt's number
    /// and the target that starts when it worked.
    pub signing: Option<(Instant, u64, Box<TargetFile>)>,
    /// How many sign-ins were started: an answer to an earlier one (stopped with Esc) is
    /// ignored.
    pub attempts: u64,
}

impl ApiState {
    /// The row of the continue button, after the fields and the suggestions.
    pub fn button(&self) -> usize {
        self.fields.len() + self.suggestions.len()
    }
}

/// A test account's password field: shown as dots, never printed.
fn password(key: &'static str, label: &'static str) -> Field {
    Field {
        secret: true,
        ..Field::new(
            key,
            label,
            "Only with an email: the test account's password. Kept in memory for this session, \
             never saved and never shown.",
        )
    }
}

pub(super) fn fields() -> Vec<Field> {
    let f = |key, label, help| Field::new(key, label, help);
    vec![
        f(
            "private_routes",
            "Private routes",
            "Routes only a signed-in user may call, comma-separated: the method, a space and the path, \
             {id} where an id goes. E.g. GET /api/conversations/{id}, POST /api/chat. Checked to refuse \
             callers without a token.",
        ),
        f(
            "admin_routes",
            "Admin routes",
            "Routes only an admin may call, e.g. GET /admin/config. Checked to refuse test account B.",
        ),
        f(
            "webhook",
            "Webhook route",
            "The path a payment or other provider posts events to, e.g. /webhooks/stripe. Checked to \
             refuse events without a valid signature.",
        ),
        f(
            "chat",
            "Chat route",
            "Where the app sends a chat message, e.g. POST /api/chat (a path alone means POST). Used to \
             time answers and check the chat rate limit.",
        ),
        f(
            "chat_body",
            "Chat request body",
            "The JSON the app sends, with {{prompt}} where the message goes. Empty: {\"message\": \
             \"{{prompt}}\"}.",
        ),
        f(
            "chat_reply",
            "Where the reply is",
            "Where the bot's answer sits in the response, as a JSON pointer, e.g. /reply. Empty: the \
             whole response.",
        ),
        f(
            "login",
            "Sign-in route",
            "The path the app posts an email and password to, e.g. /api/login. Needed to sign in the \
             test accounts by email, and for the sign-in rate limit.",
        ),
        f(
            "account_a",
            "Test account A",
            "An admin or owner test account: its email (launchready signs in with it) or the name of an \
             environment variable holding its token, e.g. LAUNCHREADY_TOKEN_A. Never a real customer.",
        ),
        password("password_a", "Password of A"),
        f(
            "account_b",
            "Test account B",
            "An ordinary (not admin) test account of another workspace or customer: email or token \
             variable. A must not read B's data, and B must not reach the admin routes.",
        ),
        password("password_b", "Password of B"),
        f(
            "object_b",
            "An id of B's",
            "The id of something account B owns (a conversation, an order): put into {id} of the \
             private routes, account A must not read it.",
        ),
    ]
}

/// "unknown HTTP method `GTE`; use one of …": a target-file problem as one line of the form.
fn say((message, hint): target::Problem) -> String {
    // The file's hints show its syntax (`e.g. path = "/webhooks/stripe"`); here, the value.
    let hint = match hint.split_once(" = ") {
        Some((head, value)) if head.starts_with("e.g. ") => format!("e.g. {}", value.trim_matches(['"', '\''])),
        _ => hint,
    };
    let mut chars = message.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    format!("{first}{}; {hint}.", chars.as_str())
}

fn routes(text: &str) -> Result<Vec<Route>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| target::parse_route(s).map_err(say))
        .collect()
}

/// The chat route: `METHOD /path`, or a path alone for a POST.
fn chat_route(text: &str) -> Result<Route, String> {
    let text = text.trim();
    if text.starts_with('/') && !text.contains(char::is_whitespace) {
        return Ok(Route {
            method: "POST".into(),
            path: text.to_string(),
        });
    }
    target::parse_route(text).map_err(say)
}

/// A test account: an email to sign in with (`Ok(true)`), or a token variable (`Ok(false)`).
fn account(text: &str) -> Result<bool, String> {
    if text.contains('@') {
        let (user, host) = text.split_once('@').unwrap_or_default();
        if user.is_empty() || !host.contains('.') || text.contains(char::is_whitespace) {
            return Err("Not an email address; e.g. founder+a@acme.example, or a token variable name.".into());
        }
        return Ok(true);
    }
    target::check_env_name(text).map(|()| false).map_err(|problem| {
        if problem.0.starts_with("this looks like a token") {
            format!(
                "This looks like a token ({} characters, hidden): put it in an environment variable and type \
                 the variable's name here, e.g. LAUNCHREADY_TOKEN_A, or type the account's email.",
                text.chars().count()
            )
        } else {
            say(problem)
        }
    })
}

/// A suggestion as its field writes it: `GET /path` in a route list or the chat route, the path
/// alone for the webhook and the sign-in route.
fn suggestion_text(s: &Suggestion) -> String {
    match s.kind {
        Kind::Webhook | Kind::Login => s.route.path.clone(),
        _ => format!("{} {}", s.route.method, s.route.path),
    }
}

fn is_email(text: &str) -> bool {
    account(text) == Ok(true)
}

impl App {
    fn api_value(&self, key: &str) -> String {
        self.product
            .api
            .fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.trim().to_string())
            .unwrap_or_default()
    }

    fn api_field(&mut self, key: &str) -> Option<&mut Field> {
        self.product.api.fields.iter_mut().find(|f| f.key == key)
    }

    /// Fills the API page from a target file: routes as `METHOD /path`, accounts as their
    /// variable names (emails and passwords are never in a file).
    pub(super) fn prefill_api(&mut self, file: &TargetFile) {
        let t = &file.target;
        let list = |routes: &[Route]| {
            routes
                .iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let chat = t.chat.as_ref();
        for field in &mut self.product.api.fields {
            field.error = None;
            field.value = match field.key {
                "private_routes" => list(&t.private_routes),
                "admin_routes" => list(&t.admin_routes),
                "webhook" => t.webhook.as_ref().map(|w| w.path.clone()).unwrap_or_default(),
                "chat" => chat.map(|c| format!("{} {}", c.method, c.path)).unwrap_or_default(),
                "chat_body" => chat
                    .map(|c| c.body.clone())
                    .filter(|b| b != DEFAULT_CHAT_BODY)
                    .unwrap_or_default(),
                "chat_reply" => chat.map(|c| c.reply.clone()).unwrap_or_default(),
                "login" => t.login.as_ref().map(|l| l.path.clone()).unwrap_or_default(),
                "account_a" => file.auth.token_a_env.clone().unwrap_or_default(),
                "account_b" => file.auth.token_b_env.clone().unwrap_or_default(),
                "object_b" => file.auth.object_b.clone().unwrap_or_default(),
                _ => String::new(),
            };
        }
    }

    pub(super) fn on_api_key(&mut self, key: KeyEvent) -> Vec<Command> {
        if self.product.api.signing.is_some() {
            // Signing in: Esc gives up waiting (the answer is then ignored); nothing else.
            if key.code == KeyCode::Esc {
                self.product.api.signing = None;
                self.message = Some("Sign-in stopped; nothing was started.".into());
            }
            return vec![];
        }
        let n = self.product.api.fields.len();
        let button = self.product.api.button();
        let rows = button + 1;
        let focus = self.product.api.focus.min(button);
        match key.code {
            KeyCode::Esc => self.screen = Screen::Target,
            KeyCode::Enter if focus == button => return self.start_from_api(),
            KeyCode::Char(' ') if focus >= n && focus < button => self.tick(focus - n),
            KeyCode::Tab | KeyCode::Down | KeyCode::Enter => self.product.api.focus = (focus + 1) % rows,
            KeyCode::BackTab | KeyCode::Up => self.product.api.focus = (focus + rows - 1) % rows,
            KeyCode::Backspace if focus < n => {
                self.product.api.fields[focus].value.pop();
                self.validate_api_field(focus);
            }
            KeyCode::Char(c) if focus < n && !key.modifiers.contains(KeyModifiers::CONTROL) => {
                if self.product.api.fields[focus].value.chars().count() < MAX_FIELD_CHARS {
                    self.product.api.fields[focus].value.push(c);
                } else {
                    self.message = Some(format!("A field holds at most {MAX_FIELD_CHARS} characters."));
                }
                self.validate_api_field(focus);
            }
            _ => {}
        }
        vec![]
    }

    /// What discovery should look at now, when that is new: the form's target (its API address
    /// and code folder).
    pub(super) fn discovery(&mut self) -> Vec<Command> {
        let target = self.form_target();
        let key = (target.target.api_base.clone(), target.target.repo.clone());
        if (key.0.is_none() && key.1.is_none()) || self.product.api.discovered.as_ref() == Some(&key) {
            return vec![];
        }
        self.product.api.discovered = Some(key);
        self.product.api.discovering = true;
        self.product.api.suggestions.clear();
        let attempt = self.product.api.discovery.0 + 1;
        self.product.api.discovery = (attempt, 2);
        vec![Command::Discover(Box::new(target), attempt)]
    }

    /// Discovery answered (the API's document, or the code folder): its suggestions join the
    /// list, less the routes already listed or on the page, grouped by kind.
    pub fn on_discovered(&mut self, attempt: u64, found: Vec<Suggestion>) -> Vec<Command> {
        let api = &mut self.product.api;
        if attempt != api.discovery.0 {
            return vec![];
        }
        api.discovery.1 = api.discovery.1.saturating_sub(1);
        api.discovering = api.discovery.1 > 0;
        let button_focused = api.focus >= api.button();
        let mut all: Vec<Suggestion> = api.suggestions.drain(..).collect();
        for s in found {
            if !all.iter().any(|k| k.route == s.route) {
                all.push(s);
            }
        }
        // Grouped by what they are for, in the order of the page's fields.
        all.sort_by_key(|s| s.kind);
        all.retain(|s| !self.suggestion_used(s));
        all.truncate(crate::discover::MAX_SUGGESTIONS);
        self.product.api.suggestions = all;
        if button_focused {
            self.product.api.focus = self.product.api.button();
        }
        vec![]
    }

    /// Whether suggestion `s`'s route is in its field (ticked, or typed by hand).
    pub fn suggestion_used(&self, s: &Suggestion) -> bool {
        let text = suggestion_text(s);
        self.api_value(s.kind.field()).split(',').any(|v| {
            let v = v.trim();
            // The chat route may be written as its path alone (a POST).
            v.eq_ignore_ascii_case(&text) || (s.kind == Kind::Chat && s.route.method == "POST" && v == s.route.path)
        })
    }

    /// Ticks or unticks suggestion `index`: its route goes into (or out of) its field.
    fn tick(&mut self, index: usize) {
        let Some(suggestion) = self.product.api.suggestions.get(index).cloned() else {
            return;
        };
        let used = self.suggestion_used(&suggestion);
        let key = suggestion.kind.field();
        let text = suggestion_text(&suggestion);
        let Some(field) = self.api_field(key) else { return };
        let list = matches!(suggestion.kind, Kind::Private | Kind::Admin);
        let mut entries: Vec<String> = field
            .value
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if used {
            entries.retain(|e| !e.eq_ignore_ascii_case(&text) && *e != suggestion.route.path);
        } else if list && field.value.chars().count() + text.len() + 2 > MAX_FIELD_CHARS {
            self.message = Some(format!("A field holds at most {MAX_FIELD_CHARS} characters."));
            return;
        } else if list {
            entries.push(text);
        } else if entries.is_empty() {
            entries = vec![text];
        } else {
            self.message = Some(format!(
                "{} already has a value; clear it first to use this one.",
                field.label
            ));
            return;
        }
        field.value = entries.join(", ");
        if let Some(i) = self.product.api.fields.iter().position(|f| f.key == key) {
            self.validate_api_field(i);
        }
    }

    /// Inline validation of one field of the page, by itself; returns whether it is acceptable.
    fn validate_api_field(&mut self, index: usize) -> bool {
        let field = &self.product.api.fields[index];
        let v = field.value.trim();
        let error = if v.is_empty() {
            None
        } else {
            match field.key {
                "private_routes" | "admin_routes" => routes(v).err(),
                "webhook" => target::check_path("webhook", v, "/webhooks/stripe").err().map(say),
                "login" => target::check_path("login", v, "/api/login").err().map(say),
                "chat" => chat_route(v).err(),
                "chat_body" => target::check_chat_body(v).err().map(say).or_else(|| {
                    let sample = v.replace("{{prompt}}", "hello");
                    serde_json::from_str::<serde_json::Value>(&sample)
                        .err()
                        .map(|e| format!("Not JSON: {e}."))
                }),
                "chat_reply" => target::check_pointer(v).err().map(say),
                "account_a" | "account_b" => account(v).err(),
                _ => None,
            }
        };
        let ok = error.is_none();
        let field = &mut self.product.api.fields[index];
        field.hidden = error.as_ref().is_some_and(|e| e.starts_with("This looks like a token"));
        field.error = error;
        ok
    }

    /// Validates the whole page, fields by themselves and then what they need of each other;
    /// focuses the first field in error.
    pub(super) fn validate_api(&mut self) -> bool {
        let mut ok = (0..self.product.api.fields.len())
            .map(|i| self.validate_api_field(i))
            // Every field, not stopping at the first, so all errors show at once.
            .filter(|ok| !ok)
            .count()
            == 0;
        let mut need = |app: &mut App, key: &str, why: &str| {
            if let Some(f) = app.api_field(key)
                && f.error.is_none()
            {
                f.error = Some(why.to_string());
            }
            ok = false;
        };
        for (who, account, password) in [("A", "account_a", "password_a"), ("B", "account_b", "password_b")] {
            if is_email(&self.api_value(account)) {
                if self.api_value("login").is_empty() {
                    need(
                        self,
                        "login",
                        "Signing in test accounts needs the sign-in route, e.g. /api/login.",
                    );
                }
                if self.api_value(password).is_empty() {
                    need(
                        self,
                        password,
                        &format!("Type the password of account {who}, or give a token variable instead of the email."),
                    );
                }
            }
        }
        if !self.api_value("object_b").is_empty()
            && (self.api_value("account_a").is_empty() || self.api_value("account_b").is_empty())
        {
            need(
                self,
                "object_b",
                "Needs both test accounts: account A tries to read this object of B's.",
            );
        }
        if !ok {
            self.product.api.focus = self
                .product
                .api
                .fields
                .iter()
                .position(|f| f.error.is_some())
                .unwrap_or(0);
        }
        ok
    }

    /// The target's routes and accounts as the page describes them; `base` gives what the page
    /// does not show (the chat's canary variable, a sign-in body, the lower-role variable).
    pub(super) fn api_into(&self, target: &mut Target, auth: &mut Auth, base: Option<&TargetFile>) {
        let v = |key: &str| Some(self.api_value(key)).filter(|s| !s.is_empty());
        target.private_routes = v("private_routes").and_then(|s| routes(&s).ok()).unwrap_or_default();
        target.admin_routes = v("admin_routes").and_then(|s| routes(&s).ok()).unwrap_or_default();
        target.webhook = v("webhook").map(|path| Webhook { path });
        let base_chat = base.and_then(|b| b.target.chat.as_ref());
        target.chat = v("chat").and_then(|s| chat_route(&s).ok()).map(|route| Chat {
            method: route.method,
            path: route.path,
            body: v("chat_body").unwrap_or_else(|| DEFAULT_CHAT_BODY.to_string()),
            reply: v("chat_reply").unwrap_or_default(),
            canary_env: base_chat.and_then(|c| c.canary_env.clone()),
        });
        let base_login = base.and_then(|b| b.target.login.as_ref());
        target.login = v("login").map(|path| Login {
            body: base_login.and_then(|l| l.body.clone()),
            path,
        });
        let (a, b) = (v("account_a"), v("account_b"));
        let email = |s: &Option<String>| s.clone().filter(|s| is_email(s));
        let var = |s: &Option<String>| s.clone().filter(|s| !is_email(s));
        let base_auth = base.map(|b| &b.auth);
        *auth = Auth {
            token_a_env: var(&a),
            token_b_env: var(&b),
            object_b: v("object_b"),
            token_low_env: base_auth.and_then(|b| b.token_low_env.clone()),
            low_is_b: false,
            sign_in: SignIn {
                a: email(&a),
                b: email(&b),
            },
        };
        // Account B is described as an ordinary user: without a variable of its own, the
        // lower-role account the admin routes must refuse is B.
        auth.low_is_b = base_auth.is_some_and(|b| b.low_is_b)
            || (auth.token_low_env.is_none() && auth.has_b() && !target.admin_routes.is_empty());
    }

    /// The passwords typed for the accounts given by email.
    fn passwords(&self) -> Passwords {
        // As typed: a password may begin or end with a space.
        let typed = |account: &str, password: &str| {
            let raw = self
                .product
                .api
                .fields
                .iter()
                .find(|f| f.key == password)?
                .value
                .clone();
            Some(raw).filter(|p| !p.is_empty() && is_email(&self.api_value(account)))
        };
        Passwords {
            a: typed("account_a", "password_a"),
            b: typed("account_b", "password_b"),
        }
    }

    pub(super) fn start_from_api(&mut self) -> Vec<Command> {
        if !self.validate_product() || !self.validate_api() {
            self.message = Some("Fix the fields marked ✘ first.".into());
            return vec![];
        }
        let target = self.form_target();
        let sign_in = &target.auth.sign_in;
        if sign_in.a.is_none() && sign_in.b.is_none() {
            // No account signs in: a password typed earlier is not kept.
            for field in &mut self.product.api.fields {
                if field.secret {
                    field.value.clear();
                }
            }
            return self.begin(target);
        }
        let passwords = self.passwords();
        self.product.api.attempts += 1;
        let attempt = self.product.api.attempts;
        self.product.api.signing = Some((Instant::now(), attempt, Box::new(target.clone())));
        vec![Command::SignIn {
            target: Box::new(target),
            passwords,
            attempt,
        }]
    }

    /// The sign-in the page asked for is done: with every account signed in, the passwords are
    /// forgotten and the assessment starts; otherwise the failure shows at the account's field.
    pub fn on_signed_in(&mut self, attempt: u64, outcomes: Vec<(Who, Result<(), String>)>) -> Vec<Command> {
        if !matches!(&self.product.api.signing, Some((_, current, _)) if *current == attempt) {
            return vec![];
        }
        let Some((_, _, target)) = self.product.api.signing.take() else {
            return vec![];
        };
        let mut failed = None;
        for (who, outcome) in outcomes {
            if let Err(why) = outcome {
                let key = if who == Who::B { "password_b" } else { "password_a" };
                if let Some(f) = self.api_field(key) {
                    f.error = Some(format!("Could not sign in as {}: {why}.", who.name()));
                }
                failed.get_or_insert(key);
            }
        }
        if let Some(key) = failed {
            self.product.api.focus = self.product.api.fields.iter().position(|f| f.key == key).unwrap_or(0);
            self.message = Some("Sign-in failed: check the email, the password and the sign-in route.".into());
            return vec![];
        }
        for field in &mut self.product.api.fields {
            if field.secret {
                field.value.clear();
            }
        }
        let commands = self.begin(*target);
        self.message = Some(
            "Signed in the test accounts. Their passwords stay in memory only, to sign in again when a check re-runs."
                .into(),
        );
        commands
    }
}
