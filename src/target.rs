//! The target file: what to probe and what the user allows, validated with `file:line:column`.
//!
//! The file names environment variables that hold test tokens; the tokens themselves are read
//! at probe time and never stored here, so a `Target` is safe to save and export.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{InputError, Key, Spans, unknown_hint};

const DOC_HINT: &str = "the target file format is described in the README";

/// Requests an active probe may send when the file does not say.
pub const DEFAULT_MAX_REQUESTS: u32 = 60;
/// The most requests the user may allow an active probe to send.
pub const MAX_REQUESTS_LIMIT: u32 = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetFile {
    pub product: Product,
    #[serde(default)]
    pub target: Target,
    #[serde(default)]
    pub auth: Auth,
    #[serde(default)]
    pub active: Active,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub name: String,
    pub vertical: String,
    pub client: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The email / DNS domain.
    pub domain: Option<String>,
    pub app_url: Option<String>,
    pub api_base: Option<String>,
    pub health_path: Option<String>,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// A local checkout; relative paths are resolved against the target file's folder.
    pub repo: Option<PathBuf>,
    /// Build output, relative to `repo`.
    pub build_dir: Option<PathBuf>,
    #[serde(default)]
    pub dkim_selectors: Vec<String>,
    #[serde(default)]
    pub private_routes: Vec<Route>,
    #[serde(default)]
    pub admin_routes: Vec<Route>,
    pub webhook: Option<Webhook>,
    pub chat: Option<Chat>,
    /// The sign-in route, for the rate-limit burst (`api.rate_limit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<Login>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub method: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    pub path: String,
}

/// The sign-in route: always a POST of `body` (a JSON object with a made-up email and password
/// when not given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chat {
    #[serde(default = "post")]
    pub method: String,
    pub path: String,
    /// The request body, with `{{prompt}}` where the message goes.
    pub body: String,
    /// A JSON pointer to the bot's answer in the response.
    #[serde(default)]
    pub reply: String,
    pub canary_env: Option<String>,
}

fn post() -> String {
    "POST".to_string()
}

/// Names of environment variables holding test tokens: never the tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub token_a_env: Option<String>,
    pub token_b_env: Option<String>,
    /// An object id owned by account B.
    pub object_b: Option<String>,
    pub token_low_env: Option<String>,
    /// Account B is an ordinary user (not an admin): with no `token_low_env`, it is the
    /// lower-role account the admin routes must refuse.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub low_is_b: bool,
    /// Test accounts to sign in with through `[target.login]` (the wizard's accounts): emails
    /// held in memory only, never saved (the passwords never reach the target at all).
    #[serde(skip)]
    pub sign_in: SignIn,
}

/// The emails of the test accounts the wizard signs in with; not part of the saved file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignIn {
    pub a: Option<String>,
    pub b: Option<String>,
}

impl Auth {
    /// Whether account A has a token source: a variable, or a sign-in.
    pub fn has_a(&self) -> bool {
        self.token_a_env.is_some() || self.sign_in.a.is_some()
    }

    /// Whether account B has a token source: a variable, or a sign-in.
    pub fn has_b(&self) -> bool {
        self.token_b_env.is_some() || self.sign_in.b.is_some()
    }

    /// Whether there is a lower-role account: its own variable, or account B as one.
    pub fn has_low(&self) -> bool {
        self.token_low_env.is_some() || (self.low_is_b && self.has_b())
    }
}

/// Whether the user may test this target with more than a handful of requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Active {
    #[serde(default)]
    pub allowed: bool,
    #[serde(default = "default_max_requests")]
    pub max_requests: u32,
}

impl Default for Active {
    fn default() -> Self {
        Active {
            allowed: false,
            max_requests: DEFAULT_MAX_REQUESTS,
        }
    }
}

fn default_max_requests() -> u32 {
    DEFAULT_MAX_REQUESTS
}

/// The HTTP methods a route may name.
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// A message and a hint, for the target file (with `file:line`) and the wizard alike.
pub type Problem = (String, String);

/// Whether `method` is one of [`METHODS`] (upper case, as the file writes it).
pub fn check_method(method: &str) -> Result<(), Problem> {
    if METHODS.contains(&method) {
        return Ok(());
    }
    Err((
        format!("unknown HTTP method `{method}`"),
        format!("use one of {}", METHODS.join(", ")),
    ))
}

/// Whether `path` (of a route of kind `what`, e.g. "route", "webhook") starts with '/';
/// `example` is a path to suggest.
pub fn check_path(what: &str, path: &str, example: &str) -> Result<(), Problem> {
    if path.starts_with('/') {
        return Ok(());
    }
    Err((
        format!("{what} path `{path}` does not start with '/'"),
        format!("e.g. path = \"{example}\""),
    ))
}

/// Reads a route as the wizard takes it, `METHOD /path` (the method may be left out for GET
/// and written in any case), checked by the target file's rules.
pub fn parse_route(text: &str) -> Result<Route, Problem> {
    let text = text.trim();
    let (method, path) = match text.split_once(char::is_whitespace) {
        Some((m, p)) => (m.to_ascii_uppercase(), p.trim()),
        None if text.starts_with('/') => ("GET".to_string(), text),
        None => (text.to_ascii_uppercase(), ""),
    };
    check_method(&method)?;
    if path.is_empty() {
        return Err((
            format!("`{text}` has no path"),
            "write the method, a space and the path, e.g. GET /api/conversations/{id}".into(),
        ));
    }
    check_path("route", path, "/api/conversations/{id}")?;
    if path.contains(char::is_whitespace) {
        return Err((
            format!("route path `{path}` contains a space"),
            "one route is a method and a path, e.g. GET /api/conversations/{id}; separate routes with commas".into(),
        ));
    }
    Ok(Route {
        method,
        path: path.to_string(),
    })
}

/// The head of a target file the wizard saves.
const SAVED_HEAD: &str = "\
# launchready target file, saved by the wizard. Check the product again with:
#     launchready scan --target THIS-FILE.toml      (or launchready --target THIS-FILE.toml)
# It holds no token and no password. Test accounts the wizard signed in by email are
# saved as token variables instead (LAUNCHREADY_TOKEN_A, LAUNCHREADY_TOKEN_B under [auth]):
# for scan and CI, put each account's token in its variable.

";

/// The variables a saved target file names for the accounts the wizard signed in by email.
pub const SAVED_TOKEN_ENVS: [&str; 2] = ["LAUNCHREADY_TOKEN_A", "LAUNCHREADY_TOKEN_B"];

impl TargetFile {
    /// The target as a file for `scan` and CI: an account the wizard signed in by email (or one
    /// the object check needs) is named by a token variable, [`SAVED_TOKEN_ENVS`], since a
    /// file holds no emails or passwords; the file then loads as it is.
    #[must_use]
    pub fn for_saving(&self) -> TargetFile {
        let mut file = self.clone();
        let auth = &mut file.auth;
        let needs = auth.object_b.is_some();
        if auth.token_a_env.is_none() && (auth.sign_in.a.is_some() || needs) {
            auth.token_a_env = Some(SAVED_TOKEN_ENVS[0].to_string());
        }
        if auth.token_b_env.is_none() && (auth.sign_in.b.is_some() || needs) {
            auth.token_b_env = Some(SAVED_TOKEN_ENVS[1].to_string());
        }
        auth.sign_in = SignIn::default();
        file
    }

    /// The file as the wizard saves it: a comment saying how to use it, then the TOML. Never a
    /// token, a password or a sign-in email (the types hold none, or skip them).
    pub fn to_toml(&self) -> Result<String, String> {
        let body = toml::to_string(self).map_err(|e| format!("cannot write the target as TOML: {e}"))?;
        Ok(format!("{SAVED_HEAD}{body}"))
    }

    /// Reads and validates a target file. `verticals` are the known checklist ids.
    pub fn load(path: &Path, verticals: &[&str]) -> Result<TargetFile, InputError> {
        let text = crate::fsio::read_text(path)?;
        let mut file = TargetFile::parse(&path.display().to_string(), &text, verticals)?;
        // Paths in the file are relative to the file, not to where the command runs.
        let base = path.parent().unwrap_or(Path::new("."));
        if let Some(repo) = &file.target.repo
            && repo.is_relative()
        {
            file.target.repo = Some(base.join(repo));
        }
        file.check_paths(&path.display().to_string(), &text)?;
        Ok(file)
    }

    /// Parses and validates target text (paths are not checked on disk; see [`TargetFile::load`]).
    pub fn parse(file: &str, text: &str, verticals: &[&str]) -> Result<TargetFile, InputError> {
        let parsed: TargetFile = toml::from_str(text).map_err(|e| InputError::from_toml(file, text, &e, DOC_HINT))?;
        let spans = Spans::parse(text).expect("the typed parse succeeded, so the text is valid TOML");
        let err = |path: &[Key<'_>], message: String, hint: String| {
            InputError::at(file, text, spans.span(path), message, hint)
        };
        parsed.validate(verticals, &err)?;
        Ok(parsed)
    }

    fn validate(
        &self,
        verticals: &[&str],
        err: &dyn Fn(&[Key<'_>], String, String) -> InputError,
    ) -> Result<(), InputError> {
        use Key::{Index, Name};
        let p = &self.product;
        if p.name.trim().is_empty() {
            return Err(err(
                &[Name("product"), Name("name")],
                "the product name is empty".into(),
                "e.g. name = \"Acme Chat\"".into(),
            ));
        }
        if !verticals.contains(&p.vertical.as_str()) {
            return Err(err(
                &[Name("product"), Name("vertical")],
                format!("unknown vertical `{}`", p.vertical),
                unknown_hint(&p.vertical, verticals.iter().copied(), "verticals"),
            ));
        }
        let t = &self.target;
        if let Some(domain) = &t.domain
            && let Err(why) = check_domain(domain)
        {
            return Err(err(
                &[Name("target"), Name("domain")],
                format!("`{domain}` is not a domain name: {why}"),
                "write just the domain, e.g. domain = \"acme.example\"".into(),
            ));
        }
        for (key, value) in [("app_url", &t.app_url), ("api_base", &t.api_base)] {
            if let Some(url) = value
                && let Err(why) = check_url(url)
            {
                return Err(err(
                    &[Name("target"), Name(key)],
                    format!("`{url}` is not a usable URL: {why}"),
                    "write the whole address, e.g. \"https://app.acme.example\"".into(),
                ));
            }
        }
        if let Some(path) = &t.health_path
            && !path.starts_with('/')
        {
            return Err(err(
                &[Name("target"), Name("health_path")],
                format!("health path `{path}` does not start with '/'"),
                "e.g. health_path = \"/health\"".into(),
            ));
        }
        for (i, origin) in t.allowed_origins.iter().enumerate() {
            if let Err(why) = check_origin(origin) {
                return Err(err(
                    &[Name("target"), Name("allowed_origins"), Index(i)],
                    format!("`{origin}` is not an origin: {why}"),
                    "an origin is scheme and host only, e.g. \"https://app.acme.example\"".into(),
                ));
            }
        }
        for (i, selector) in t.dkim_selectors.iter().enumerate() {
            if check_label(selector).is_err() {
                return Err(err(
                    &[Name("target"), Name("dkim_selectors"), Index(i)],
                    format!("`{selector}` is not a DKIM selector"),
                    "a selector is one DNS label such as \"google\" or \"s1\"".into(),
                ));
            }
        }
        for (key, routes) in [("private_routes", &t.private_routes), ("admin_routes", &t.admin_routes)] {
            for (i, route) in routes.iter().enumerate() {
                check_method(&route.method)
                    .map_err(|(m, h)| err(&[Name("target"), Name(key), Index(i), Name("method")], m, h))?;
                check_path("route", &route.path, "/api/conversations/{id}")
                    .map_err(|(m, h)| err(&[Name("target"), Name(key), Index(i), Name("path")], m, h))?;
            }
        }
        if let Some(w) = &t.webhook {
            check_path("webhook", &w.path, "/webhooks/stripe")
                .map_err(|(m, h)| err(&[Name("target"), Name("webhook"), Name("path")], m, h))?;
        }
        if let Some(login) = &t.login {
            check_path("login", &login.path, "/api/login")
                .map_err(|(m, h)| err(&[Name("target"), Name("login"), Name("path")], m, h))?;
        }
        if let Some(chat) = &t.chat {
            let at = |k| [Name("target"), Name("chat"), Name(k)];
            check_method(&chat.method).map_err(|(m, h)| err(&at("method"), m, h))?;
            check_path("chat", &chat.path, "/api/chat").map_err(|(m, h)| err(&at("path"), m, h))?;
            check_chat_body(&chat.body).map_err(|(m, h)| err(&at("body"), m, h))?;
            check_pointer(&chat.reply).map_err(|(m, h)| err(&at("reply"), m, h))?;
            if let Some(name) = &chat.canary_env {
                check_env_name(name).map_err(|(m, h)| err(&at("canary_env"), m, h))?;
            }
        }
        let a = &self.auth;
        for (key, value) in [
            ("token_a_env", &a.token_a_env),
            ("token_b_env", &a.token_b_env),
            ("token_low_env", &a.token_low_env),
        ] {
            if let Some(name) = value {
                check_env_name(name).map_err(|(m, h)| err(&[Name("auth"), Name(key)], m, h))?;
            }
        }
        if a.object_b.is_some() && !(a.has_a() && a.has_b()) {
            return Err(err(
                &[Name("auth"), Name("object_b")],
                "object_b needs both token_a_env and token_b_env".into(),
                "the object check uses account A's token on account B's object".into(),
            ));
        }
        if !(1..=MAX_REQUESTS_LIMIT).contains(&self.active.max_requests) {
            return Err(err(
                &[Name("active"), Name("max_requests")],
                format!(
                    "max_requests is {}; it must be between 1 and {MAX_REQUESTS_LIMIT}",
                    self.active.max_requests
                ),
                "active probes are bounded; 60 is a good start".into(),
            ));
        }
        Ok(())
    }

    fn check_paths(&self, file: &str, text: &str) -> Result<(), InputError> {
        let Some(repo) = &self.target.repo else {
            if self.target.build_dir.is_some() {
                let spans = Spans::parse(text).expect("parsed before");
                return Err(InputError::at(
                    file,
                    text,
                    spans.span(&[Key::Name("target"), Key::Name("build_dir")]),
                    "build_dir is set but repo is not",
                    "build_dir is relative to repo; set repo too",
                ));
            }
            return Ok(());
        };
        let spans = Spans::parse(text).expect("parsed before");
        if !repo.is_dir() {
            return Err(InputError::at(
                file,
                text,
                spans.span(&[Key::Name("target"), Key::Name("repo")]),
                format!("the repo folder {} does not exist", repo.display()),
                "the path is relative to the target file's folder",
            ));
        }
        if let Some(build) = &self.target.build_dir
            && (build.is_absolute() || !repo.join(build).is_dir())
        {
            return Err(InputError::at(
                file,
                text,
                spans.span(&[Key::Name("target"), Key::Name("build_dir")]),
                format!("the build folder {} is not a folder inside the repo", build.display()),
                "give it relative to repo, e.g. build_dir = \"dist\", and build the app first",
            ));
        }
        Ok(())
    }
}

/// Whether a chat body has the `{{prompt}}` placeholder.
pub fn check_chat_body(body: &str) -> Result<(), Problem> {
    if body.contains("{{prompt}}") {
        return Ok(());
    }
    Err((
        "the chat body has no {{prompt}} placeholder".into(),
        "e.g. body = '{\"message\": \"{{prompt}}\"}'".into(),
    ))
}

/// Whether `pointer` is empty (the whole answer) or a JSON pointer.
pub fn check_pointer(pointer: &str) -> Result<(), Problem> {
    if pointer.is_empty() || pointer.starts_with('/') {
        return Ok(());
    }
    Err((
        format!("`{pointer}` is not a JSON pointer"),
        "a JSON pointer starts with '/', e.g. reply = \"/reply\"".into(),
    ))
}

fn check_label(label: &str) -> Result<(), &'static str> {
    if label.is_empty() || label.len() > 63 {
        return Err("each part between dots must be 1 to 63 characters");
    }
    if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err("only letters, digits and '-' are allowed");
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err("a part cannot start or end with '-'");
    }
    Ok(())
}

/// Whether `domain` is a plausible DNS name with at least two labels.
pub fn check_domain(domain: &str) -> Result<(), &'static str> {
    if domain.contains("://") || domain.contains('/') {
        return Err("it looks like a URL");
    }
    let name = domain.strip_suffix('.').unwrap_or(domain);
    if name.len() > 253 {
        return Err("it is longer than 253 characters");
    }
    if !name.contains('.') {
        return Err("it needs at least one dot");
    }
    name.split('.').try_for_each(check_label)?;
    if name
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err("it looks like an IP address");
    }
    Ok(())
}

/// Whether `url` is an absolute http(s) URL with a host.
pub fn check_url(url: &str) -> Result<url::Url, String> {
    let parsed = url::Url::parse(url).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => "it has no scheme (add https://)".to_string(),
        other => other.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("the scheme is `{}`, not http or https", parsed.scheme()));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("it has no host".to_string());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("it contains a user name or password; never put credentials in a URL".to_string());
    }
    Ok(parsed)
}

fn check_origin(origin: &str) -> Result<(), String> {
    let parsed = check_url(origin)?;
    if parsed.path() != "/" || origin.ends_with('/') || parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("it has a path; an origin ends after the host (and port)".to_string());
    }
    Ok(())
}

/// Checks an environment variable name, refusing anything that looks like a token value.
/// The value itself is never echoed back: it may be a secret.
pub fn check_env_name(name: &str) -> Result<(), Problem> {
    // Some tokens are valid variable names too (`ghp_…`, `xoxb_…`): names are conventionally
    // upper case, so a long mix of lower case and digits, or a known token prefix, is refused.
    const TOKEN_PREFIXES: [&str; 10] = [
        "ghp_",
        "gho_",
        "ghs_",
        "ghu_",
        "github_pat_",
        "sk_",
        "rk_",
        "xox",
        "akia",
        "hf_",
    ];
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let lower = name.to_ascii_lowercase();
    let token_like = TOKEN_PREFIXES.iter().any(|p| lower.starts_with(p) && name.len() >= 20)
        || (name.len() >= 20
            && name.chars().any(|c| c.is_ascii_lowercase())
            && name.chars().any(|c| c.is_ascii_digit()));
    if valid && !token_like {
        return Ok(());
    }
    let looks_secret = token_like || name.len() >= 20 || name.contains(['.', '-', '+', '/', '=']);
    if looks_secret {
        Err((
            format!("this looks like a token, not the name of an environment variable ({} characters, not shown)", name.chars().count()),
            "never write tokens in the target file: put the token in an environment variable and write its name here, e.g. LAUNCHREADY_TOKEN_A".into(),
        ))
    } else {
        Err((
            format!("`{name}` is not an environment variable name"),
            "use letters, digits and '_', e.g. LAUNCHREADY_TOKEN_A".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert!(check_domain("acme.example").is_ok());
        assert!(check_domain("mail.acme.co.uk.").is_ok());
        assert!(check_domain("https://acme.example").is_err());
        assert!(check_domain("localhost").is_err());
        assert!(check_domain("-bad.example").is_err());
        assert!(check_domain("10.0.0.1").is_err());
    }

    #[test]
    fn urls() {
        assert!(check_url("https://app.acme.example/x").is_ok());
        assert!(check_url("app.acme.example").unwrap_err().contains("no scheme"));
        assert!(check_url("ftp://acme.example").is_err());
        assert!(check_url("https://user:pw@acme.example").is_err());
        assert!(check_origin("https://app.acme.example").is_ok());
        assert!(check_origin("https://app.acme.example/login").is_err());
    }

    #[test]
    fn token_values_are_refused_without_echo() {
        let (message, _) = check_env_name("sk-proj-abcdefghijklmnopqrstuvwxyz").unwrap_err();
        assert!(!message.contains("abcdef"), "{message}");
        assert!(check_env_name("LAUNCHREADY_TOKEN_A").is_ok());
        assert!(check_env_name("STAGING_API_TOKEN_2").is_ok());
        // Regression: a GitHub token is a valid variable name, and was accepted, then printed.
        let (message, _) = check_env_name("ghp_abcdefghijklmnopqrstuvwxyz0123456789").unwrap_err();
        assert!(
            message.contains("looks like a token") && !message.contains("ghp_"),
            "{message}"
        );
        assert!(check_env_name("aB3dE5gH7jK9mN1pQ3sT5vW7").is_err());
    }
}
