//! Which checks can run for a target, and running one by id: what the wizard (and later `scan`)
//! use to run every applicable check concurrently and re-run or cancel one.

use super::ProbeResult;
use super::dns::Resolve;
use super::email::{self, EmailOptions};
use crate::target::Target;

/// Whether this build has a probe for the check id.
pub fn is_runnable(check: &str) -> bool {
    email::CHECKS.contains(&check)
}

/// Whether the target gives what the check needs (e.g. a domain for the email checks).
pub fn is_configured(check: &str, target: &Target) -> bool {
    if email::CHECKS.contains(&check) {
        return target.domain.is_some();
    }
    false
}

/// Runs one check; `None` when the check is not runnable or not configured.
pub async fn run_check<R: Resolve>(
    check: &str,
    target: &Target,
    dns: &R,
    options: &EmailOptions,
) -> Option<ProbeResult> {
    let domain = target.domain.as_deref()?;
    let result = match check {
        "email.mx" => email::check_mx(domain, dns).await,
        "email.spf" => super::spf::check(domain, dns).await,
        "email.dkim" => {
            let mut selectors = options.selectors.clone();
            selectors.extend(target.dkim_selectors.iter().cloned());
            super::dkim::check(domain, &selectors, dns).await
        }
        "email.dmarc" => super::dmarc::check(domain, dns, options.min_dmarc_policy.as_deref()).await,
        "dns.caa" => email::check_caa(domain, dns).await,
        _ => return None,
    };
    Some(result)
}
