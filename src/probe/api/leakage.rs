//! `api.error_leakage`: the broken requests sent to the chat route, and the detectors for what
//! an error answer gives away (keys, stack traces, file paths, SQL, configuration).

use futures_util::future::join_all;

use super::super::http::{Call, HttpError, MIN_SCRUBBED, Reply, token_preview};
use super::super::{ProbeResult, Status};
use super::request::{Run, Sent, fill, is_read, join_words, location, with_token};
use super::{Tokens, skipped, title};

const OVERSIZED_BYTES: usize = 70 * 1024;

/// What an error answer can give away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum LeakKind {
    Key,
    StackTrace,
    FilePath,
    Sql,
    Config,
}

impl LeakKind {
    fn words(self) -> &'static str {
        match self {
            LeakKind::Key => "a secret key",
            LeakKind::StackTrace => "a stack trace",
            LeakKind::FilePath => "server file paths",
            LeakKind::Sql => "database queries or errors",
            LeakKind::Config => "internal configuration",
        }
    }
}

/// Internal details in `text`: each kind once, with the byte offset where it shows.
fn leaks(text: &str) -> Vec<(LeakKind, usize)> {
    // Error pages give themselves away early; a bound keeps a hostile body cheap to scan.
    let text = super::super::http::window(text, 0, 64 * 1024);
    let mut found = Vec::new();
    if let Some((range, _)) = super::super::http::find_keys(text)
        .into_iter()
        .find(|(_, rule)| *rule != "jwt")
    {
        found.push((LeakKind::Key, range.start));
    }
    if let Some(at) = stack_trace(text) {
        found.push((LeakKind::StackTrace, at));
    }
    if let Some(at) = file_path(text) {
        found.push((LeakKind::FilePath, at));
    }
    if let Some(at) = sql(text) {
        found.push((LeakKind::Sql, at));
    }
    if let Some(at) = config(text) {
        found.push((LeakKind::Config, at));
    }
    found
}

/// Lines of `text`, splitting on real newlines and on `\n` escaped inside JSON strings, with
/// the byte offset of each.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let (newline, width) = match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b'\n'), _) => (true, 1),
            (Some(b'\\'), Some(b'n')) => (true, 2),
            _ => (false, 1),
        };
        if newline {
            out.push((start, text.get(start..i).unwrap_or_default()));
            start = i + width;
        }
        i += width;
    }
    out.push((start, text.get(start..).unwrap_or_default()));
    out
}

fn stack_trace(text: &str) -> Option<usize> {
    const MARKERS: [&str; 9] = [
        "Traceback (most recent call last)",
        "stack backtrace:",
        "panicked at",
        "Exception in thread",
        "at Object.<anonymous>",
        "node:internal/",
        "(internal/",
        "Stack trace:",
        "goroutine 1 [",
    ];
    if let Some(at) = MARKERS.iter().filter_map(|m| text.find(m)).min() {
        return Some(at);
    }
    lines(text).into_iter().find_map(|(at, line)| {
        let line = super::super::http::window(line.trim_start_matches(['\t', ' ', '"']), 0, 300);
        // `at handler (/app/server.js:42:13)`, `at com.acme.Main.run(Main.java:42)`
        let js_or_java = line.starts_with("at ") && has_line_number(line);
        // `File "/app/main.py", line 42, in handler`
        let python = line.starts_with("File \"") && line.contains("\", line ");
        // `#0 /var/www/index.php(12): …`
        let php = line.starts_with("#0 ") || line.starts_with("#1 ");
        // `from /app/models/user.rb:42:in 'save'`
        let ruby = line.contains(".rb:") && line.contains(":in ");
        (js_or_java || python || php || ruby).then_some(at)
    })
}

/// `file.ext:12` somewhere in `line`.
fn has_line_number(line: &str) -> bool {
    line.match_indices(':').any(|(i, _)| {
        let before = line.get(..i).unwrap_or_default();
        let after = line.get(i + 1..).unwrap_or_default();
        after.starts_with(|c: char| c.is_ascii_digit())
            && before
                .rsplit(['/', '\\', '(', ' '])
                .next()
                .is_some_and(|f| f.contains('.'))
    })
}

fn file_path(text: &str) -> Option<usize> {
    const ROOTS: [&str; 14] = [
        "/home/",
        "/Users/",
        "/var/www/",
        "/usr/src/",
        "/usr/local/lib/",
        "/app/",
        "/srv/",
        "/opt/",
        "/root/",
        "/workspace/",
        "/node_modules/",
        "/site-packages/",
        "C:\\",
        "C:/",
    ];
    ROOTS
        .iter()
        .flat_map(|root| text.match_indices(root).map(|(i, _)| i))
        // The start of a path, not the path of a web address (`https://x.example/app/`).
        .filter(|&i| {
            i == 0
                || text
                    .as_bytes()
                    .get(i - 1)
                    .is_some_and(|b| b" \t\n\"'(=:[,\\".contains(b))
        })
        .min()
}

fn sql(text: &str) -> Option<usize> {
    const MARKERS: [&str; 13] = [
        "syntax error at or near",
        "sqlstate",
        "you have an error in your sql syntax",
        "ora-0",
        "sqlite_error",
        "sqlite3.",
        "pg::",
        "psycopg2",
        "sequelizedatabaseerror",
        "prismaclient",
        "duplicate key value violates",
        "unterminated quoted string",
        "queryfailederror",
    ];
    let lower = text.to_ascii_lowercase();
    if let Some(at) = MARKERS.iter().filter_map(|m| lower.find(m)).min() {
        return Some(at);
    }
    // Statements are written in capitals; "select a plan from the list" is not SQL.
    let select = text
        .find("SELECT ")
        .filter(|at| text.get(*at..).is_some_and(|r| r.contains(" FROM ")));
    let others = ["INSERT INTO ", "DELETE FROM ", "UPDATE "].iter().filter_map(|m| {
        text.find(m)
            .filter(|at| *m != "UPDATE " || text.get(*at..).is_some_and(|r| r.contains(" SET ")))
    });
    select.into_iter().chain(others).min()
}

fn config(text: &str) -> Option<usize> {
    const MARKERS: [&str; 14] = [
        "DATABASE_URL",
        "postgres://",
        "postgresql://",
        "mysql://",
        "mongodb://",
        "mongodb+srv://",
        "redis://",
        "amqp://",
        "AWS_SECRET_ACCESS_KEY",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "STRIPE_SECRET_KEY",
        "JWT_SECRET",
        "process.env.",
    ];
    MARKERS.iter().filter_map(|m| text.find(m)).min()
}

/// A few dozen characters around `at`, redacted, on one line.
///
/// The whole text is redacted first (the tokens, then key-shaped strings) and the window cut
/// afterwards: cut first, a key or token crossing the window's edge would no longer look like
/// one and its first characters would show.
fn context(text: &str, at: usize, tokens: &Tokens) -> String {
    let mut ranges: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for token in tokens.values().filter(|t| t.len() >= MIN_SCRUBBED) {
        ranges.extend(
            text.match_indices(token)
                .map(|(i, _)| (i..i + token.len(), token_preview(token))),
        );
    }
    for (range, _) in super::super::http::find_keys(text) {
        let preview = super::super::http::key_preview(text.get(range.clone()).unwrap_or_default());
        ranges.push((range, preview));
    }
    let (clean, at) = super::super::http::replace_ranges(text, ranges, at);
    let start = (at.saturating_sub(30)..=at)
        .find(|i| clean.is_char_boundary(*i))
        .unwrap_or(at);
    let end = ((at + 90).min(clean.len())..=clean.len())
        .find(|i| clean.is_char_boundary(*i))
        .unwrap_or(clean.len());
    super::super::http::one_line(clean.get(start..end).unwrap_or_default(), 120)
}

/// The malformed bodies sent to the chat route.
fn bad_inputs(run: &Run<'_>) -> Vec<(&'static str, &'static str, String)> {
    let good = run.chat_body("Hello");
    let trimmed = good.trim_end();
    let broken = match trimmed.char_indices().last() {
        Some((i, '}' | ']')) => format!("{}, ", trimmed.get(..i).unwrap_or_default()),
        _ => format!("{trimmed}{{\"unclosed\": "),
    };
    let template = run
        .file
        .target
        .chat
        .as_ref()
        .map_or("{\"message\": \"{{prompt}}\"}", |c| c.body.as_str());
    let retype = |value: &str| {
        if template.contains("\"{{prompt}}\"") {
            template.replace("\"{{prompt}}\"", value)
        } else {
            format!("{{\"message\": {value}}}")
        }
    };
    vec![
        ("broken JSON", "application/json", broken),
        (
            "oversized body",
            "application/json",
            run.chat_body(&"A".repeat(OVERSIZED_BYTES)),
        ),
        ("wrong content type", "text/xml", "<message>Hello</message>".to_string()),
        ("number instead of text", "application/json", retype("12345")),
        ("object instead of text", "application/json", retype("{\"$gt\": \"\"}")),
    ]
}

pub(crate) async fn error_leakage(run: &Run<'_>) -> ProbeResult {
    let Some(chat) = run.file.target.chat.as_ref() else {
        return skipped(
            run.id,
            "The target file names no chat route, so broken requests were not sent.",
            "Describe the chat route under [target.chat] (method, path and body with {{prompt}}).",
        );
    };
    // Account B when there is one: the rate-limit burst spends account A's limit.
    let token = run.tokens.b.as_deref().or(run.tokens.a.as_deref());
    let mut calls: Vec<(&'static str, Call)> = Vec::new();
    if let Some(url) = run.url(&chat.path) {
        for (label, content_type, body) in bad_inputs(run) {
            let call = Call::new(&chat.method, url.clone()).body(content_type, body);
            calls.push((label, with_token(call, token)));
        }
    }
    // An odd id on a read route shows whether ids reach the database unchecked.
    if let Some(url) = run
        .file
        .target
        .private_routes
        .iter()
        .filter(|r| is_read(&r.method) && r.path.contains("{id}"))
        .find_map(|r| fill(&r.path, "'\"<x>").and_then(|p| run.url(&p)))
    {
        calls.push(("odd id", with_token(Call::get(url), token)));
    }
    let sent = join_all(calls.into_iter().map(|(label, call)| run.send(label, call))).await;

    let mut leaked: Vec<(&Sent, LeakKind, String)> = Vec::new();
    let mut unclear: Option<(&Sent, String)> = None;
    let mut crashed = Vec::new();
    let mut accepted = Vec::new();
    let mut refused_by_login = 0;
    for s in &sent {
        match &s.outcome {
            Ok(r) => {
                let text = r.text();
                for (kind, at) in leaks(&text) {
                    leaked.push((s, kind, context(&text, at, run.tokens)));
                }
                match r.status {
                    401 | 403 => refused_by_login += 1,
                    429 => {
                        unclear.get_or_insert((s, "it answered 429 (too many requests)".into()));
                    }
                    code if (400..500).contains(&code) => {}
                    code if (200..300).contains(&code) => accepted.push(s),
                    code if code >= 500 => crashed.push(s),
                    _ => {
                        unclear
                            .get_or_insert((s, format!("it answered {} and redirected to {}", r.status, location(r))));
                    }
                }
            }
            // Closing the connection on a huge body is a refusal, and a fine one.
            Err(HttpError::Broken(_) | HttpError::Connect(_)) if s.label == "oversized body" => {}
            Err(e) => {
                unclear.get_or_insert((s, e.to_string()));
            }
        }
    }
    // A mistyped chat path answers 404 (or 405) to everything: no error handling was reached.
    let chat_answers: Vec<&Reply> = sent
        .iter()
        .filter(|s| s.label != "odd id")
        .filter_map(Sent::reply)
        .collect();
    let chat_missing = !chat_answers.is_empty() && chat_answers.iter().all(|r| r.status == 404 || r.status == 405);
    let mut kinds: Vec<LeakKind> = leaked.iter().map(|(_, k, _)| *k).collect();
    kinds.sort();
    kinds.dedup();
    let (status, summary, fix) = if let Some((first, _, _)) = leaked.first() {
        let words: Vec<&str> = kinds.iter().map(|k| k.words()).collect();
        let mut fix = "Catch errors in one place and answer bad requests with 400 and a short message such as {\"error\": \"invalid request\"}; keep stack traces, paths and queries in your server logs only.".to_string();
        if kinds.contains(&LeakKind::Key) {
            fix.push_str(" Rotate the exposed key now: anyone who sent a broken request has seen it.");
        }
        (
            Status::Fail,
            format!(
                "When sent a broken request ({}), your API answers with {}.",
                first.label,
                join_words(&words)
            ),
            Some(fix),
        )
    } else if chat_missing {
        (
            Status::Error,
            format!(
                "Nothing was tested: every broken request to {} {} answered 404 or 405 — the route was not found (check the path and method in the target file).",
                chat.method.to_ascii_uppercase(),
                chat.path
            ),
            Some(
                "Put the method and path your app really uses for chat under [target.chat], then run the check again."
                    .into(),
            ),
        )
    } else if let Some((s, why)) = unclear {
        (
            Status::Error,
            format!(
                "Could not finish the check: the {} request got no usable answer ({why}).",
                s.label
            ),
            Some("Check that the chat route in the target file is reachable, then run the check again.".into()),
        )
    } else if refused_by_login == sent.len() {
        (
            Status::Error,
            "Every broken request was refused for want of a login (401/403) before your code read it, so error handling was not tested.".into(),
            Some("Name a test token under [auth] (token_a_env) so broken requests reach your code.".into()),
        )
    } else if let Some(s) = crashed.first() {
        (
            Status::Warn,
            format!(
                "Your API gave nothing away, but crashed (5xx) on {} of {} broken requests, starting with the {}.",
                crashed.len(),
                sent.len(),
                s.label
            ),
            Some("Validate requests before using them and answer 400 (or 413 for too large, 415 for the wrong type) instead of failing with a server error.".into()),
        )
    } else if let Some(s) = accepted.iter().find(|s| s.label != "wrong content type") {
        (
            Status::Warn,
            format!("Your API gave nothing away, but accepted a request it should have refused (the {}).", s.label),
            Some("Check the size, type and shape of every request body and answer 400 (or 413 when too large) when it does not fit.".into()),
        )
    } else {
        (
            Status::Pass,
            format!(
                "Your API refused {} broken requests cleanly, without internal details.",
                sent.len()
            ),
            None,
        )
    };
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
    for s in &sent {
        result = result.evidence(s.label.clone(), s.line(&["content-type"]));
    }
    let mut shown: Vec<LeakKind> = Vec::new();
    for (s, kind, context) in &leaked {
        // Each kind once: the same trace under every broken request says nothing new.
        if shown.contains(kind) {
            continue;
        }
        shown.push(*kind);
        result = result.evidence(
            format!("{} in the answer to the {}", kind.words(), s.label),
            context.clone(),
        );
    }
    result.fix_if(fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::http::find_keys;

    #[test]
    fn leaks_are_recognised() {
        let node = "{\"error\":\"SyntaxError: Unexpected end of JSON input\\n    at JSON.parse (<anonymous>)\\n    at handler (/app/src/server.js:42:13)\",\"key\":\"sk-proj-launchready-DEMO-FAKE-KEY-0000000000000000\"}";
        let kinds: Vec<LeakKind> = leaks(node).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, [LeakKind::Key, LeakKind::StackTrace, LeakKind::FilePath]);
        let python = "Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 12, in chat";
        assert!(leaks(python).iter().any(|(k, _)| *k == LeakKind::StackTrace));
        let sql_error = "ERROR: syntax error at or near \"'\" (SQLSTATE 42601)";
        assert_eq!(leaks(sql_error).first().map(|(k, _)| *k), Some(LeakKind::Sql));
        let query = "query failed: SELECT * FROM conversations WHERE id = ''";
        assert!(leaks(query).iter().any(|(k, _)| *k == LeakKind::Sql));
        let config_text = "could not connect to postgres://app:pw@db.internal:5432/app";
        assert!(leaks(config_text).iter().any(|(k, _)| *k == LeakKind::Config));
        let java = "\tat com.acme.ChatController.send(ChatController.java:88)";
        assert!(leaks(java).iter().any(|(k, _)| *k == LeakKind::StackTrace));
    }

    #[test]
    fn clean_errors_are_not_leaks() {
        for text in [
            r#"{"error": "invalid JSON at line 1 column 20"}"#,
            r#"{"error": "message must be a string"}"#,
            "Please select a plan from the list",
            "see https://docs.acme.example/app/errors#400 for details",
            "request too large: at most 65536 bytes",
            r#"{"error":"unsupported content type text/xml"}"#,
        ] {
            assert!(leaks(text).is_empty(), "{text}: {:?}", leaks(text));
        }
    }

    #[test]
    fn hostile_bodies_are_scanned_in_linear_time() {
        // A regression to quadratic scanning would hang here.
        for text in [
            format!("at {}", ":1".repeat(120_000)),
            "File \"".repeat(50_000),
            "SELECT ".repeat(40_000),
            "/app/".repeat(60_000),
        ] {
            let _ = leaks(&text);
        }
    }

    #[test]
    fn leak_scanning_never_panics() {
        let pieces = [
            "at ",
            "\\n",
            "\n",
            "File \"",
            "\", line ",
            ":1",
            ".js",
            "/app/",
            "SELECT ",
            " FROM ",
            "é",
            "#0 ",
            "sk-",
            "x",
            "postgres://",
            "\u{1F600}",
            "\\",
        ];
        for text in crate::probe::garbled(11, 3_000, &pieces, 25) {
            for (_, at) in leaks(&text) {
                let _ = context(&text, at, &Tokens::default());
            }
            let _ = find_keys(&text);
        }
    }

    #[test]
    fn lines_split_on_escaped_newlines() {
        let text = "a\\nb\nc";
        let got: Vec<(usize, &str)> = lines(text);
        assert_eq!(got, [(0, "a"), (3, "b"), (5, "c")]);
    }
}
