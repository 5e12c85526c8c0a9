//! Which checks can run for a target, and running one by id: what the wizard (and later `scan`)
//! use to run every applicable check concurrently and re-run or cancel one.

use std::sync::Arc;

use super::ProbeResult;
use super::api::{self, ApiOptions, Tokens};
use super::dns::Dns;
use super::email::{self, EmailOptions};
use super::http::Http;
use crate::target::TargetFile;

/// Whether this build has a probe for the check id.
pub fn is_runnable(check: &str) -> bool {
    email::CHECKS.contains(&check) || api::CHECKS.contains(&check)
}

/// Whether the target gives what the check needs (a domain for the email checks, addresses and
/// routes for the API checks).
pub fn is_configured(check: &str, target: &TargetFile) -> bool {
    if email::CHECKS.contains(&check) {
        return target.target.domain.is_some();
    }
    api::is_configured(check, target)
}

/// What running checks needs besides the target: clients, test tokens and the vertical's limits.
/// Tokens live only here, in memory.
pub struct Env {
    /// `None` when DNS could not be set up (e.g. no system configuration).
    pub dns: Option<Arc<Dns>>,
    /// The HTTP client for the target's hosts, or why it could not be set up.
    pub http: Result<Arc<Http>, String>,
    pub tokens: Tokens,
    pub email: EmailOptions,
    pub api: ApiOptions,
}

/// Runs one check; `None` when the check is not runnable or not configured.
pub async fn run_check(check: &str, target: &TargetFile, env: &Env) -> Option<ProbeResult> {
    if api::CHECKS.contains(&check) {
        return match &env.http {
            Ok(http) => api::check(check, target, &env.tokens, http, &env.api).await,
            Err(why) => Some(ProbeResult::new(
                check,
                super::Status::Error,
                check,
                format!("Could not prepare the HTTP client: {why}"),
            )),
        };
    }
    let domain = target.target.domain.as_deref()?;
    let Some(dns) = env.dns.as_deref() else {
        let summary =
            "DNS could not be set up on this computer, so nothing was looked up; pass a DNS server with --resolver.";
        return Some(ProbeResult::new(check, super::Status::Error, check, summary));
    };
    let mut selectors = env.email.selectors.clone();
    selectors.extend(target.target.dkim_selectors.iter().cloned());
    let result = match check {
        "email.mx" => email::bounded(check, email::check_mx(domain, dns)).await,
        "email.spf" => email::bounded(check, super::spf::check(domain, dns)).await,
        "email.dkim" => email::bounded(check, super::dkim::check(domain, &selectors, dns)).await,
        "email.dmarc" => {
            email::bounded(
                check,
                super::dmarc::check(domain, dns, env.email.min_dmarc_policy.as_deref()),
            )
            .await
        }
        "dns.caa" => email::bounded(check, email::check_caa(domain, dns)).await,
        _ => return None,
    };
    Some(result)
}

#[cfg(test)]
mod tests {
    /// Every id a probe family produces is a check id the checklists may name, so no result is
    /// ever orphaned by a typo on either side.
    #[test]
    fn probe_ids_are_known_check_ids() {
        for id in super::email::CHECKS
            .iter()
            .chain(super::api::CHECKS.iter())
            .chain(["email.message_auth"].iter())
        {
            assert!(crate::checklist::CHECK_IDS.contains(id), "{id}");
        }
    }
}
