//! What each API check needs from the target file before it can run (tokens are looked up when
//! it runs): the `configured` predicates of the registry's API entries.

use super::request::is_read;
use crate::target::TargetFile;

/// An API or app address: every API check needs one.
pub fn base(t: &TargetFile) -> bool {
    t.target.api_base.is_some() || t.target.app_url.is_some()
}

pub fn health(t: &TargetFile) -> bool {
    base(t) && t.target.health_path.is_some()
}

pub fn auth_required(t: &TargetFile) -> bool {
    base(t) && (!t.target.private_routes.is_empty() || !t.target.admin_routes.is_empty())
}

pub fn object_authz(t: &TargetFile) -> bool {
    let auth = &t.auth;
    base(t)
        && auth.object_b.is_some()
        && auth.has_a()
        && auth.has_b()
        && t.target.private_routes.iter().any(|r| is_read(&r.method))
}

pub fn chat(t: &TargetFile) -> bool {
    base(t) && t.target.chat.is_some()
}

pub fn rate_limit(t: &TargetFile) -> bool {
    base(t) && (t.target.chat.is_some() || t.target.login.is_some())
}

pub fn latency(t: &TargetFile) -> bool {
    let target = &t.target;
    base(t)
        && (target.health_path.is_some()
            || target.chat.is_some()
            || target.private_routes.iter().any(|r| is_read(&r.method)))
}

pub fn webhook(t: &TargetFile) -> bool {
    base(t) && t.target.webhook.is_some()
}

pub fn role_authz(t: &TargetFile) -> bool {
    base(t) && t.auth.has_low() && t.target.admin_routes.iter().any(|r| is_read(&r.method))
}
