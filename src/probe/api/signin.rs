//! Signing in as a test account through the target's sign-in route (`[target.login]`), for a
//! founder who has an email and a password but no token at hand.
//!
//! The password is held in [`Passwords`] only (memory, never saved, `Debug` shows nothing), is
//! sent once per run in the sign-in request's body, and never appears in a result: a failure is
//! described by the status and the kind of answer, never by the body the server sent back.

use std::fmt;

use serde_json::Value;

use super::Tokens;
use super::Who;
use crate::probe::http::{Call, Http, HttpError, Reply};
use crate::target::TargetFile;

/// The passwords of the sign-in accounts, typed into the wizard.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Passwords {
    pub a: Option<String>,
    pub b: Option<String>,
}

impl fmt::Debug for Passwords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |p: &Option<String>| p.as_ref().map(|_| "(hidden)");
        f.debug_struct("Passwords")
            .field("a", &shown(&self.a))
            .field("b", &shown(&self.b))
            .finish()
    }
}

impl Passwords {
    fn get(&self, who: Who) -> Option<&str> {
        match who {
            Who::A => self.a.as_deref(),
            Who::B => self.b.as_deref(),
            Who::Low => None,
        }
    }
}

/// Where a token may sit in a sign-in answer, tried in this order at the top level and then
/// one object down (`{"data": {"token": …}}`).
const TOKEN_FIELDS: [&str; 10] = [
    "access_token",
    "accessToken",
    "token",
    "id_token",
    "idToken",
    "jwt",
    "session_token",
    "sessionToken",
    "auth_token",
    "authToken",
];

/// The body of a sign-in request: the route's `body` template with `{{email}}` and
/// `{{password}}` filled in (as JSON string contents), or `{"email": …, "password": …}`.
pub fn login_body(template: Option<&str>, email: &str, password: &str) -> String {
    let inner = |v: &str| {
        let quoted = serde_json::to_string(v).unwrap_or_default();
        quoted[1..quoted.len() - 1].to_string()
    };
    match template {
        Some(t) if t.contains("{{email}}") || t.contains("{{password}}") => t
            .replace("{{email}}", &inner(email))
            .replace("{{password}}", &inner(password)),
        Some(t) => t.to_string(),
        None => serde_json::json!({"email": email, "password": password}).to_string(),
    }
}

/// Signs in as `email`; the token from the answer, or why there is none, in a few words.
pub async fn sign_in(http: &Http, target: &TargetFile, email: &str, password: &str) -> Result<String, String> {
    let Some(login) = &target.target.login else {
        return Err("the target names no sign-in route".into());
    };
    let Some(base) = super::base_of(target) else {
        return Err("the target gives no API address".into());
    };
    let url = url::Url::parse(&format!("{base}{}", login.path)).map_err(|_| "the sign-in route is not a valid path")?;
    let call = Call::new("POST", url).json(login_body(login.body.as_deref(), email, password));
    judge(http.send(&call).await)
}

fn judge(outcome: Result<Reply, HttpError>) -> Result<String, String> {
    let reply = outcome.map_err(|e| format!("the sign-in route could not be reached: {e}"))?;
    match reply.status {
        200..=299 => {}
        401 | 403 => {
            return Err(format!(
                "the sign-in route refused the email and password ({})",
                reply.status
            ));
        }
        404 | 405 => {
            return Err(format!(
                "the sign-in route answered {}: check its path and that it takes a POST",
                reply.status
            ));
        }
        429 => return Err("the sign-in route said too many attempts (429): wait a few minutes".into()),
        300..=399 => {
            return Err(format!(
                "the sign-in route redirected ({}): a browser sign-in page, not an API route",
                reply.status
            ));
        }
        status => return Err(format!("the sign-in route answered {status}")),
    }
    if let Some(token) = serde_json::from_slice::<Value>(&reply.body)
        .ok()
        .as_ref()
        .and_then(find_token)
    {
        return Ok(token);
    }
    if reply.headers.contains_key("set-cookie") {
        return Err(
            "the sign-in worked but the session came back as a cookie, not a token; launchready sends tokens as \
             'Authorization: Bearer', so give account tokens in environment variables instead"
                .into(),
        );
    }
    Err(format!(
        "the sign-in answer ({}) has no token field ({} …)",
        reply.status,
        TOKEN_FIELDS[..3].join(", ")
    ))
}

/// A token-looking string under one of [`TOKEN_FIELDS`], at the top or one object down.
fn find_token(json: &Value) -> Option<String> {
    let here = |object: &serde_json::Map<String, Value>| {
        TOKEN_FIELDS.iter().find_map(|field| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(field))
                .and_then(|(_, v)| v.as_str())
                .filter(|t| t.len() >= 8 && !t.contains(char::is_whitespace))
                .map(str::to_string)
        })
    };
    let object = json.as_object()?;
    here(object).or_else(|| object.values().filter_map(Value::as_object).find_map(here))
}

/// Signs in every account the target names an email for (and `passwords` a password), into
/// `tokens`. An account without a password gets a failure saying so.
pub async fn sign_in_all(http: &Http, target: &TargetFile, passwords: &Passwords, tokens: &mut Tokens) {
    let accounts = [(Who::A, &target.auth.sign_in.a), (Who::B, &target.auth.sign_in.b)];
    let tries = accounts.iter().filter_map(|(who, email)| {
        let email = email.as_deref()?;
        let password = passwords.get(*who);
        Some(async move {
            let outcome = match password {
                Some(p) => sign_in(http, target, email, p).await,
                None => Err("no password was given for it".to_string()),
            };
            (*who, outcome)
        })
    });
    tokens
        .hidden
        .extend([&passwords.a, &passwords.b].into_iter().flatten().cloned());
    for (who, outcome) in futures_util::future::join_all(tries).await {
        tokens.signed_in(who, outcome, &target.auth);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_fill_the_template_as_json_text() {
        assert_eq!(
            login_body(None, "a@b.example", "p\"w"),
            r#"{"email":"a@b.example","password":"p\"w"}"#
        );
        assert_eq!(
            login_body(
                Some(r#"{"user": {"login": "{{email}}", "pass": "{{password}}"}}"#),
                "a@b.example",
                "x\\y"
            ),
            r#"{"user": {"login": "a@b.example", "pass": "x\\y"}}"#
        );
    }

    #[test]
    fn tokens_are_found_at_the_top_or_one_level_down() {
        let find = |text: &str| find_token(&serde_json::from_str(text).unwrap());
        assert_eq!(find(r#"{"token": "abcdefgh12"}"#).as_deref(), Some("abcdefgh12"));
        assert_eq!(
            find(r#"{"data": {"accessToken": "eyJabc.def.ghi"}}"#).as_deref(),
            Some("eyJabc.def.ghi")
        );
        assert_eq!(find(r#"{"ok": true, "token": "short"}"#), None);
        assert_eq!(find(r#"{"message": "welcome"}"#), None);
    }

    #[test]
    fn debug_never_shows_a_password() {
        let p = Passwords {
            a: Some("hunter2-secret".into()),
            b: None,
        };
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
