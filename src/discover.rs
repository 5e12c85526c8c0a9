//! Finding a product's routes for the wizard to suggest: from an OpenAPI (or Swagger) document
//! the API serves, and from route definitions in the code folder (Express-style routers,
//! FastAPI and Flask decorators, Next.js route files). Nothing found here is used until the
//! founder ticks it: a suggestion is a guess at what a route is for, from its path and, in an
//! OpenAPI document, whether it asks for a login.
//!
//! Both are bounded: a handful of GETs to the API's own host with the probe client's caps, and a
//! walk of at most [`MAX_FILES`] source files of at most [`MAX_FILE_BYTES`] each.

use std::path::Path;

use serde_json::Value;

use crate::probe::http::{Call, Http};
use crate::target::Route;

/// What a suggested route is for: the field of the API page it goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Private,
    Admin,
    Webhook,
    Chat,
    Login,
}

impl Kind {
    /// The key of the API page's field.
    pub fn field(self) -> &'static str {
        match self {
            Kind::Private => "private_routes",
            Kind::Admin => "admin_routes",
            Kind::Webhook => "webhook",
            Kind::Chat => "chat",
            Kind::Login => "login",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Private => "private",
            Kind::Admin => "admin",
            Kind::Webhook => "webhook",
            Kind::Chat => "chat",
            Kind::Login => "sign-in",
        }
    }
}

/// A route found, what it seems to be for, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub kind: Kind,
    pub route: Route,
    /// `openapi.json`, or `src/routes/chat.ts:12` (relative to the code folder).
    pub source: String,
}

/// Where APIs commonly serve their OpenAPI document, tried in this order.
pub const OPENAPI_PATHS: [&str; 5] = [
    "/openapi.json",
    "/swagger.json",
    "/v3/api-docs",
    "/api/openapi.json",
    "/docs/openapi.json",
];

/// At most this many source files are read, and none larger than [`MAX_FILE_BYTES`].
pub const MAX_FILES: usize = 5_000;
pub const MAX_FILE_BYTES: u64 = 512 * 1024;
/// At most this many suggestions are kept.
pub const MAX_SUGGESTIONS: usize = 40;

/// The last part of a short path that makes a route look public (`/health`, `/api/status`).
const PUBLIC_LAST: [&str; 11] = [
    "health",
    "healthz",
    "ready",
    "readyz",
    "live",
    "status",
    "ping",
    "metrics",
    "openapi.json",
    "swagger.json",
    "favicon.ico",
];
/// The first part of a path that makes a route look public (`/static/…`, `/docs/…`).
const PUBLIC_FIRST: [&str; 5] = ["static", "assets", "docs", "public", "_next"];

/// What a route seems to be for, from its method and path; `secured` is whether the API's
/// document says it needs a login (`None`: nothing says). Public-looking routes (health, docs,
/// static files) and those that need no login are not suggested.
pub fn classify(method: &str, path: &str, secured: Option<bool>) -> Option<Kind> {
    let lower = path.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
    let last = segments.last().copied().unwrap_or_default();
    if segments.is_empty() {
        return None;
    }
    if method == "POST" && segments.iter().any(|s| s.contains("webhook") || *s == "hooks") {
        return Some(Kind::Webhook);
    }
    if method == "POST" && ["login", "signin", "sign-in", "sessions", "session"].contains(&last) {
        return Some(Kind::Login);
    }
    // Public by their look: a short health or status route, documentation, static files.
    if (segments.len() <= 2 && PUBLIC_LAST.contains(&last)) || PUBLIC_FIRST.contains(&segments[0]) {
        return None;
    }
    if secured == Some(false) {
        return None;
    }
    if segments.iter().any(|s| s.starts_with("admin")) {
        return Some(Kind::Admin);
    }
    if method == "POST"
        && (segments.iter().any(|s| s.contains("chat") || *s == "completions") || last == "messages")
        && !lower.contains('{')
    {
        return Some(Kind::Chat);
    }
    Some(Kind::Private)
}

/// The checks put an object's id where a route says `{id}`: a route with one placeholder of
/// another name (`{order_id}`, `:orderId`) gets `{id}`, so a ticked route is really tried.
fn with_id(path: &str) -> String {
    let placeholders = path
        .split('/')
        .filter(|s| s.starts_with('{') && s.ends_with('}'))
        .count();
    if placeholders != 1 {
        return path.to_string();
    }
    path.split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The suggestions of an OpenAPI 3 or Swagger 2 document: every path and method, with the
/// operation's `security` (or the document's) deciding whether it needs a login.
pub fn from_openapi(doc: &Value, source: &str) -> Vec<Suggestion> {
    const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
    let root_secured = doc.get("security").and_then(Value::as_array).map(|s| !s.is_empty());
    // Swagger 2's basePath, or the path of OpenAPI 3's first server ("/v1", "https://host/v1").
    let server = doc
        .get("servers")
        .and_then(|s| s.get(0))
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .filter(|u| !u.contains('{'))
        .map(|u| match url::Url::parse(u) {
            Ok(parsed) => parsed.path().to_string(),
            Err(_) => u.to_string(),
        });
    let base = doc
        .get("basePath")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or(server)
        .unwrap_or_default();
    let base = base.trim_end_matches('/');
    let mut out = vec![];
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        if !path.starts_with('/') {
            continue;
        }
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let secured = op
                .get("security")
                .and_then(Value::as_array)
                .map(|s| !s.is_empty())
                .or(root_secured);
            let method = method.to_ascii_uppercase();
            let full = with_id(&format!("{base}{path}"));
            // What a route is for shows in the document's own path, not the server's prefix.
            if let Some(kind) = classify(&method, path, secured) {
                out.push(Suggestion {
                    kind,
                    route: Route { method, path: full },
                    source: source.to_string(),
                });
            }
        }
    }
    out
}

/// Asks the API for its OpenAPI document at the usual places (a JSON document with `paths`),
/// and suggests its routes; `None` when none answers with one.
pub async fn fetch_openapi(http: &Http, base: &url::Url) -> Option<Vec<Suggestion>> {
    // All at once, so a slow API costs one timeout, not five; the first in order that is a
    // document wins.
    let tries = OPENAPI_PATHS.iter().map(|path| async move {
        // Beside the API's own path: https://host/api + /openapi.json → https://host/api/openapi.json.
        let url = url::Url::parse(&format!("{}{path}", base.as_str().trim_end_matches('/'))).ok()?;
        let reply = http
            .send(&Call::get(url).header("Accept", "application/json"))
            .await
            .ok()?;
        if !reply.is_success() {
            return None;
        }
        let doc = serde_json::from_slice::<Value>(&reply.body).ok()?;
        doc.get("paths")
            .is_some_and(Value::is_object)
            .then(|| from_openapi(&doc, path.trim_start_matches('/')))
    });
    futures_util::future::join_all(tries).await.into_iter().flatten().next()
}

/// Folders never worth reading for routes.
const SKIPPED: [&str; 12] = [
    "node_modules",
    ".git",
    "target",
    "dist",
    "build",
    ".next",
    ".venv",
    "venv",
    "__pycache__",
    "vendor",
    "coverage",
    ".turbo",
];

/// The routes defined in the code under `root`, suggested by path (the code cannot say which
/// need a login, so every API route that does not look public is offered as private).
pub fn from_code(root: &Path) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = vec![];
    let mut stack = vec![root.to_path_buf()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                if !SKIPPED.contains(&name.as_str()) && !kind.is_symlink() {
                    stack.push(path);
                }
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
            if !matches!(ext, "js" | "mjs" | "cjs" | "ts" | "jsx" | "tsx" | "py") || !kind.is_file() {
                continue;
            }
            if entry.metadata().map_or(true, |m| m.len() > MAX_FILE_BYTES) {
                continue;
            }
            files += 1;
            if files > MAX_FILES {
                return finish(out);
            }
            // One bad byte does not hide the routes of the rest of the file.
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            if bytes.contains(&0) {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            for (line, method, route) in routes_in(&relative, &text) {
                if let Some(kind) = classify(&method, &route, None) {
                    out.push(Suggestion {
                        kind,
                        route: Route {
                            method,
                            path: with_id(&route),
                        },
                        source: format!("{relative}:{line}"),
                    });
                }
            }
        }
    }
    finish(out)
}

fn finish(mut out: Vec<Suggestion>) -> Vec<Suggestion> {
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert((s.route.method.clone(), s.route.path.clone())));
    out
}

/// The routes one source file defines: (line, METHOD, /path with {params}).
fn routes_in(relative: &str, text: &str) -> Vec<(usize, String, String)> {
    let mut found = vec![];
    // Next.js: app/api/chat/route.ts exporting GET / POST; the folders are the path.
    if let Some(dir) = next_route_dir(relative) {
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                let exported = [
                    format!("export async function {method}("),
                    format!("export function {method}("),
                    format!("export const {method} "),
                ];
                if exported.iter().any(|e| t.starts_with(e.as_str())) {
                    found.push((i + 1, method.to_string(), dir.clone()));
                }
            }
        }
        return found;
    }
    for (i, line) in text.lines().enumerate() {
        for (method, path) in calls_in(line) {
            found.push((i + 1, method, path));
        }
    }
    found
}

/// `app/api/chat/[id]/route.ts` → `/api/chat/{id}`; route groups `(name)` are left out.
fn next_route_dir(relative: &str) -> Option<String> {
    let parts: Vec<&str> = relative.split('/').collect();
    let file = parts.last()?;
    if !(file.starts_with("route.") && parts.contains(&"app")) {
        return None;
    }
    let start = parts.iter().position(|p| *p == "app")? + 1;
    let segments: Vec<String> = parts[start..parts.len() - 1]
        .iter()
        .filter(|s| !(s.starts_with('(') && s.ends_with(')')))
        .map(|s| match s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(param) => format!("{{{}}}", param.trim_start_matches("...")),
            None => (*s).to_string(),
        })
        .collect();
    Some(format!("/{}", segments.join("/")))
}

/// Route definitions on one line: `app.get('/x'`, `router.post("/x"`, `@app.get("/x")`,
/// `@app.route("/x", methods=["POST"])`; `:id` and `<id>` become `{id}`.
fn calls_in(line: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    for method in ["get", "post", "put", "patch", "delete", "route"] {
        let needle = format!(".{method}(");
        let mut from = 0;
        while let Some(at) = line[from..].find(&needle) {
            let start = from + at + needle.len();
            from = start;
            let rest = line[start..].trim_start();
            let Some(quote) = rest.chars().next().filter(|c| matches!(c, '\'' | '"' | '`')) else {
                continue;
            };
            let Some(end) = rest[1..].find(quote) else { continue };
            let path = &rest[1..=end];
            if !path.starts_with('/') || path.contains(char::is_whitespace) || path.contains("${") {
                continue;
            }
            if method == "route" {
                // Flask: methods=["GET", "DELETE"], GET when none is named.
                let after = &rest[end + 2..];
                let named: Vec<&str> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
                    .into_iter()
                    .filter(|m| {
                        after.contains("methods") && after.contains(&format!("\"{m}\""))
                            || after.contains(&format!("'{m}'"))
                    })
                    .collect();
                for verb in if named.is_empty() { vec!["GET"] } else { named } {
                    out.push((verb.to_string(), normalise(path)));
                }
            } else {
                out.push((method.to_ascii_uppercase(), normalise(path)));
            }
        }
    }
    out
}

/// `/api/conversations/:id` and `/api/conversations/<int:id>` → `/api/conversations/{id}`.
fn normalise(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if let Some(name) = s.strip_prefix(':') {
                format!("{{{}}}", name.trim_end_matches('?'))
            } else if let Some(inner) = s.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                format!("{{{}}}", inner.rsplit(':').next().unwrap_or(inner))
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(suggestions: &[Suggestion]) -> Vec<(Kind, String)> {
        suggestions
            .iter()
            .map(|s| (s.kind, format!("{} {}", s.route.method, s.route.path)))
            .collect()
    }

    #[test]
    fn an_openapi_document_says_which_routes_need_a_login() {
        let doc = serde_json::json!({
            "openapi": "3.0.0",
            "security": [{"bearer": []}],
            "paths": {
                "/health": {"get": {"security": []}},
                "/api/conversations/{id}": {"get": {}, "delete": {}},
                "/api/chat": {"post": {}},
                "/api/public/pricing": {"get": {"security": []}},
                "/admin/users": {"post": {}},
                "/webhooks/stripe": {"post": {"security": []}},
                "/api/login": {"post": {"security": []}}
            }
        });
        let mut got = routes(&from_openapi(&doc, "openapi.json"));
        got.sort();
        assert_eq!(
            got,
            vec![
                (Kind::Private, "DELETE /api/conversations/{id}".to_string()),
                (Kind::Private, "GET /api/conversations/{id}".to_string()),
                (Kind::Admin, "POST /admin/users".to_string()),
                (Kind::Webhook, "POST /webhooks/stripe".to_string()),
                (Kind::Chat, "POST /api/chat".to_string()),
                (Kind::Login, "POST /api/login".to_string()),
            ]
        );
    }

    #[test]
    fn swagger_base_paths_are_kept() {
        let doc = serde_json::json!({"swagger": "2.0", "basePath": "/v1/", "paths": {"/orders/{id}": {"get": {}}}});
        assert_eq!(
            routes(&from_openapi(&doc, "swagger.json")),
            vec![(Kind::Private, "GET /v1/orders/{id}".to_string())]
        );
    }

    #[test]
    fn routes_are_read_from_common_frameworks() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "src/server.ts",
            "app.get('/api/conversations/:id', auth, handler);\nrouter.post(\"/api/chat\", send);\napp.get(`/health`, ok);\n",
        );
        write(
            "api/main.py",
            "@app.get(\"/api/orders/{order_id}\")\ndef f(): ...\n@bp.route(\"/admin/config\", methods=[\"POST\"])\n@app.route('/webhooks/stripe', methods=['POST'])\n",
        );
        write(
            "web/app/api/(chat)/messages/[id]/route.ts",
            "export async function GET(req) {}\nexport const DELETE = async () => {};\n",
        );
        write("node_modules/x/index.js", "app.get('/api/ignored', f)\n");
        let found = from_code(dir.path());
        let mut got = routes(&found);
        got.sort();
        assert_eq!(
            got,
            vec![
                (Kind::Private, "DELETE /api/messages/{id}".to_string()),
                (Kind::Private, "GET /api/conversations/{id}".to_string()),
                (Kind::Private, "GET /api/messages/{id}".to_string()),
                (Kind::Private, "GET /api/orders/{id}".to_string()),
                (Kind::Admin, "POST /admin/config".to_string()),
                (Kind::Webhook, "POST /webhooks/stripe".to_string()),
                (Kind::Chat, "POST /api/chat".to_string()),
            ]
        );
        let chat = found.iter().find(|s| s.kind == Kind::Chat).unwrap();
        assert_eq!(chat.source, "src/server.ts:2");
    }

    #[test]
    fn only_whole_words_make_a_route_public_and_named_ids_become_id() {
        let doc = serde_json::json!({
            "openapi": "3.0.0",
            "servers": [{"url": "https://api.example.test/v1/"}],
            "security": [{"bearer": []}],
            "paths": {
                "/health": {"get": {}},
                "/api/health-records/{patientId}": {"get": {}},
                "/api/shipping/{shipment_id}": {"get": {}},
                "/api/orders/{id}/status": {"get": {}},
                "/orgs/{org}/members/{member}": {"get": {}},
                "/": {"get": {}}
            }
        });
        let mut got = routes(&from_openapi(&doc, "openapi.json"));
        got.sort();
        assert_eq!(
            got,
            vec![
                (Kind::Private, "GET /v1/api/health-records/{id}".to_string()),
                (Kind::Private, "GET /v1/api/orders/{id}/status".to_string()),
                (Kind::Private, "GET /v1/api/shipping/{id}".to_string()),
                (Kind::Private, "GET /v1/orgs/{org}/members/{member}".to_string()),
            ],
            "/health and / are public; two placeholders are left as they are"
        );
    }

    #[test]
    fn flask_routes_give_every_method_and_a_bad_byte_hides_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("app.py"),
            "@app.route(\"/api/items/<int:item_id>\", methods=[\"GET\", \"DELETE\"])\n",
        )
        .unwrap();
        let mut js = b"app.get('/api/notes/:noteId', f)\n// \xff\n".to_vec();
        js.extend_from_slice(b"app.post('/api/chat', g)\n");
        std::fs::write(dir.path().join("server.js"), js).unwrap();
        let mut got = routes(&from_code(dir.path()));
        got.sort();
        assert_eq!(
            got,
            vec![
                (Kind::Private, "DELETE /api/items/{id}".to_string()),
                (Kind::Private, "GET /api/items/{id}".to_string()),
                (Kind::Private, "GET /api/notes/{id}".to_string()),
                (Kind::Chat, "POST /api/chat".to_string()),
            ]
        );
    }

    #[test]
    fn a_huge_or_binary_file_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let big = "app.get('/api/x', f)\n".repeat(40_000);
        std::fs::write(dir.path().join("big.js"), big).unwrap();
        std::fs::write(dir.path().join("bin.js"), [0xff_u8, 0xfe, 0x00, 0x41]).unwrap();
        assert!(from_code(dir.path()).is_empty());
    }
}
