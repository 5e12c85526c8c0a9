//! Every automated check, declared once: its id, title, family, what it needs from the target,
//! whether it is active (sends more than a handful of requests), how it loads the target, and the
//! function that runs it. Adding a check is one entry here plus its code.
//!
//! The engine ([`super::engine`]) reads only this table to decide what is runnable and configured
//! and in which order checks run; front ends read it for titles.

use futures_util::future::BoxFuture;

use super::ProbeResult;
use super::api::{self, Run};
use super::dns::Dns;
use super::email::{self, EmailOptions};
use super::web::{self, Site};
use crate::target::TargetFile;

/// Which kind of probe a check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Email,
    Dns,
    Tls,
    Http,
    Edge,
    Api,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::Email => "email",
            Family::Dns => "dns",
            Family::Tls => "tls",
            Family::Http => "http",
            Family::Edge => "edge",
            Family::Api => "api",
        }
    }
}

/// How a check loads the product's servers, which decides when it may run (in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Traffic {
    /// Name lookups only: runs alongside anything.
    Lookups,
    /// A few ordinary requests that need ordinary answers: run together, never during a burst.
    Requests,
    /// A timed sample: runs alone, after the ordinary checks (its own traffic would slow their
    /// answers, and theirs its figures), and before any burst (which would fill the rate limit
    /// the sample needs).
    Sample,
    /// A burst: runs alone and last, so neither its traffic nor the rate limit it trips turns
    /// other checks' answers into 429s.
    Burst,
}

/// A check of the email and DNS family: the domain, the resolver and the vertical's options.
pub type EmailFn = for<'a> fn(&'a str, &'a Dns, &'a EmailOptions) -> BoxFuture<'a, ProbeResult>;
/// A check of the API family, given the prepared request plumbing.
pub type ApiFn = for<'r, 'a> fn(&'r Run<'a>) -> BoxFuture<'r, ProbeResult>;

/// A check of the web family, given the site's addresses and the web client.
pub type WebFn = for<'r, 'a> fn(&'r Site<'a>) -> BoxFuture<'r, ProbeResult>;

/// How a check is run: one adapter per kind lives in the engine.
#[derive(Clone, Copy)]
pub enum Runner {
    Email(EmailFn),
    Api(ApiFn),
    Web(WebFn),
}

/// One automated check.
#[derive(Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub title: &'static str,
    pub family: Family,
    /// What the target must give for the check to run, in words.
    pub needs: &'static str,
    /// Sends more than a handful of requests. The check itself keeps to the target's `[active]`
    /// permission and `max_requests`: without permission it sends only a handful, or nothing,
    /// and says so.
    pub active: bool,
    pub traffic: Traffic,
    /// Whether the target gives what the check needs (tokens are looked up when it runs).
    pub configured: fn(&TargetFile) -> bool,
    pub run: Runner,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("family", &self.family)
            .field("traffic", &self.traffic)
            .finish_non_exhaustive()
    }
}

/// Boxes an `async fn(&Run<'_>) -> ProbeResult` into an [`ApiFn`].
macro_rules! api_fn {
    ($f:path) => {{
        fn boxed<'r>(run: &'r Run<'_>) -> BoxFuture<'r, ProbeResult> {
            Box::pin($f(run))
        }
        Runner::Api(boxed)
    }};
}

/// Boxes an `async fn(&Site<'_>) -> ProbeResult` into a [`WebFn`].
macro_rules! web_fn {
    ($f:path) => {{
        fn boxed<'r>(site: &'r Site<'_>) -> BoxFuture<'r, ProbeResult> {
            Box::pin($f(site))
        }
        Runner::Web(boxed)
    }};
}

fn has_domain(t: &TargetFile) -> bool {
    t.target.domain.is_some()
}

/// Every check this build can run, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "email.mx",
        title: "Mail servers (MX)",
        family: Family::Email,
        needs: "the email domain",
        active: false,
        traffic: Traffic::Lookups,
        configured: has_domain,
        run: Runner::Email(email::mx),
    },
    Check {
        id: "email.spf",
        title: "SPF record",
        family: Family::Email,
        needs: "the email domain",
        active: false,
        traffic: Traffic::Lookups,
        configured: has_domain,
        run: Runner::Email(email::spf),
    },
    Check {
        id: "email.dkim",
        title: "DKIM signing key",
        family: Family::Email,
        needs: "the email domain (and DKIM selectors, if the provider's are not the usual ones)",
        active: false,
        traffic: Traffic::Lookups,
        configured: has_domain,
        run: Runner::Email(email::dkim),
    },
    Check {
        id: "email.dmarc",
        title: "DMARC policy",
        family: Family::Email,
        needs: "the email domain",
        active: false,
        traffic: Traffic::Lookups,
        configured: has_domain,
        run: Runner::Email(email::dmarc),
    },
    Check {
        id: "dns.caa",
        title: "Certificate authority limits (CAA)",
        family: Family::Dns,
        needs: "the email domain",
        active: false,
        traffic: Traffic::Lookups,
        configured: has_domain,
        run: Runner::Email(email::caa),
    },
    Check {
        id: "tls.certificate",
        title: "HTTPS certificates",
        family: Family::Tls,
        needs: "the app address or the domain (and the API address)",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::tls,
        run: web_fn!(web::tls::certificate),
    },
    Check {
        id: "tls.protocols",
        title: "TLS versions accepted",
        family: Family::Tls,
        needs: "the app address or the domain (and the API address)",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::tls,
        run: web_fn!(web::tls::protocols),
    },
    Check {
        id: "http.https_redirect",
        title: "HTTPS forced, one address",
        family: Family::Http,
        needs: "the app address or the domain",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::site,
        run: web_fn!(web::site::https_redirect),
    },
    Check {
        id: "http.hsts",
        title: "HTTPS remembered by browsers (HSTS)",
        family: Family::Http,
        needs: "the app address or the domain",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::site,
        run: web_fn!(web::site::hsts),
    },
    Check {
        id: "http.security_headers",
        title: "Browser security headers",
        family: Family::Http,
        needs: "the app address or the domain",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::site,
        run: web_fn!(web::site::security_headers),
    },
    Check {
        id: "http.cookies",
        title: "Session cookies",
        family: Family::Http,
        needs: "the app address or the domain",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::site,
        run: web_fn!(web::site::cookies),
    },
    Check {
        id: "http.mixed_content",
        title: "Nothing loaded over plain HTTP",
        family: Family::Http,
        needs: "the app address or the domain",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::site,
        run: web_fn!(web::content::mixed_content),
    },
    Check {
        id: "edge.cdn",
        title: "CDN and firewall edge",
        family: Family::Edge,
        needs: "the app address or the domain (and the API address)",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::tls,
        run: web_fn!(web::edge::cdn),
    },
    Check {
        id: "edge.private_cache",
        title: "Private answers never cached",
        family: Family::Edge,
        needs: "the API address and its private or admin GET routes (and a test account's token)",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::private_cache,
        run: api_fn!(api::cache::private_cache),
    },
    Check {
        id: "dns.subdomains",
        title: "Forgotten subdomains",
        family: Family::Dns,
        needs: "the domain (or an app address with a domain name)",
        active: false,
        traffic: Traffic::Requests,
        configured: web::needs::subdomains,
        run: web_fn!(web::subdomains::subdomains),
    },
    Check {
        id: "api.health",
        title: "Health endpoint",
        family: Family::Api,
        needs: "the API address and its health path",
        active: false,
        traffic: Traffic::Requests,
        configured: api::needs::health,
        run: api_fn!(api::health::health),
    },
    Check {
        id: "api.auth_required",
        title: "Private routes need a login",
        family: Family::Api,
        needs: "the API address and its private or admin routes",
        active: false,
        traffic: Traffic::Requests,
        configured: api::needs::auth_required,
        run: api_fn!(api::auth::auth_required),
    },
    Check {
        id: "api.object_authz",
        title: "Customers cannot open each other's data",
        family: Family::Api,
        needs: "a private GET route, tokens of two test accounts and an object of account B",
        active: false,
        traffic: Traffic::Requests,
        configured: api::needs::object_authz,
        run: api_fn!(api::auth::object_authz),
    },
    Check {
        id: "api.cors",
        title: "Browser access rules (CORS)",
        family: Family::Api,
        needs: "the API or app address",
        active: false,
        traffic: Traffic::Requests,
        configured: api::needs::base,
        run: api_fn!(api::cors::cors),
    },
    Check {
        id: "api.error_leakage",
        title: "Error messages hide internals",
        family: Family::Api,
        needs: "the API address and its chat route",
        active: false,
        traffic: Traffic::Requests,
        configured: api::needs::chat,
        run: api_fn!(api::leakage::error_leakage),
    },
    Check {
        id: "api.rate_limit",
        title: "Rate limits",
        family: Family::Api,
        needs: "the API address and its chat or sign-in route",
        active: true,
        traffic: Traffic::Burst,
        configured: api::needs::rate_limit,
        run: api_fn!(api::limits::rate_limit),
    },
    Check {
        id: "api.latency",
        title: "Response time (p95)",
        family: Family::Api,
        needs: "the API address and its chat route (or a health path or private GET route)",
        active: true,
        traffic: Traffic::Sample,
        configured: api::needs::latency,
        run: api_fn!(api::limits::latency),
    },
    Check {
        id: "api.webhook_signature",
        title: "Webhook signatures",
        family: Family::Api,
        needs: "the API address and its webhook route",
        active: false,
        traffic: Traffic::Requests,
        configured: api::needs::webhook,
        run: api_fn!(api::webhook::webhook_signature),
    },
    Check {
        id: "api.role_authz",
        title: "Admin routes need an admin",
        family: Family::Api,
        needs: "an admin GET route and the token of a lower-role test user",
        active: false,
        traffic: Traffic::Requests,
        configured: api::needs::role_authz,
        run: api_fn!(api::auth::role_authz),
    },
    Check {
        id: "api.request_id",
        title: "Request ids for tracing",
        family: Family::Api,
        needs: "the API or app address",
        active: false,
        traffic: Traffic::Requests,
        configured: api::needs::base,
        run: api_fn!(api::health::request_id),
    },
];

/// The check with this id.
pub fn find(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// The title of the check `id` ("automated check" for one this build does not have).
pub fn title(id: &str) -> &'static str {
    find(id).map_or("automated check", |c| c.title)
}

/// Whether this build has a probe for the check id.
pub fn is_runnable(id: &str) -> bool {
    find(id).is_some()
}

/// Whether this build has a probe for the check id and `target` gives what it needs.
pub fn is_configured(id: &str, target: &TargetFile) -> bool {
    find(id).is_some_and(|c| (c.configured)(target))
}

/// The ids of `family`, in report order.
pub fn ids_of(family: Family) -> impl Iterator<Item = &'static str> {
    CHECKS.iter().filter(move |c| c.family == family).map(|c| c.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id the registry has is a check id the checklists may name, once, so no result is
    /// ever orphaned by a typo on either side.
    #[test]
    fn ids_are_known_check_ids_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for check in CHECKS {
            assert!(crate::checklist::CHECK_IDS.contains(&check.id), "{}", check.id);
            assert!(seen.insert(check.id), "{} is declared twice", check.id);
            assert!(check.id.starts_with(check.family.label()), "{}", check.id);
        }
    }

    /// Every check id a built-in checklist names is either run by a probe or asked by a
    /// plain-language question of each item that names it, so no item falls back to showing its
    /// pass criteria ("Can you confirm this is true?") where no probe can decide it.
    #[test]
    fn every_named_check_is_runnable_or_a_question() {
        let catalog = crate::checklist::Catalog::builtin().unwrap();
        let mut undecided = Vec::new();
        for checklist in catalog.all() {
            for item in &checklist.items {
                for id in &item.checks {
                    if !is_runnable(id) && item.question.is_none() {
                        undecided.push(format!("{}: item {} names {id}", checklist.id, item.id));
                    }
                }
            }
        }
        assert!(
            undecided.is_empty(),
            "checks no probe runs and no question of their own asks:\n{}",
            undecided.join("\n")
        );
    }

    #[test]
    fn the_latency_sample_and_the_burst_are_the_active_checks() {
        let alone: Vec<(&str, Traffic)> = CHECKS
            .iter()
            .filter(|c| matches!(c.traffic, Traffic::Sample | Traffic::Burst))
            .map(|c| (c.id, c.traffic))
            .collect();
        assert_eq!(
            alone,
            [("api.rate_limit", Traffic::Burst), ("api.latency", Traffic::Sample)]
        );
        assert!(
            CHECKS
                .iter()
                .all(|c| c.active == matches!(c.traffic, Traffic::Sample | Traffic::Burst))
        );
    }
}
