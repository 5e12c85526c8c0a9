//! `dns.subdomains`: the names a product commonly has under its domain (`www`, `app`, `api`,
//! `staging`, `old`, … — a fixed list in [`super::edge_data`], no brute force) are looked up. A
//! name that is an alias (CNAME) of a hosting service which answers with its "no such site"
//! page, or of a name that no longer exists, can be claimed by anyone (a takeover); an old or
//! staging environment open to the internet, or a name served over plain HTTP only, is a warning.

use std::collections::BTreeSet;

use futures_util::StreamExt;
use url::Url;

use super::edge_data;
use super::{Site, capital, result, worst};
use crate::probe::net::NameError;
use crate::result::{Evidence, ProbeResult, Status};

const ID: &str = "dns.subdomains";
/// Names looked up at once.
const CONCURRENT: usize = 8;
/// Subdomains whose pages are fetched at most.
const MAX_FETCHED: usize = 16;

/// What one name turned out to be.
struct Found {
    name: String,
    cnames: Vec<String>,
    /// Its addresses, or why there are none.
    addresses: Result<Vec<std::net::IpAddr>, NameError>,
}

/// What its pages showed.
struct Verdict {
    status: Status,
    line: String,
    problem: Option<String>,
}

/// The script and style addresses of a page, which name a build (hashed file names).
fn build_of(html: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            let after = rest.get(at + attr.len()..).unwrap_or_default();
            let end = after.find('"').unwrap_or(after.len());
            let value = after.get(..end).unwrap_or_default();
            let extension = std::path::Path::new(value).extension().and_then(|e| e.to_str());
            if extension.is_some_and(|e| e.eq_ignore_ascii_case("js") || e.eq_ignore_ascii_case("css")) {
                out.insert(value.rsplit('/').next().unwrap_or(value).to_string());
            }
            rest = after.get(end..).unwrap_or_default();
            if out.len() > 64 {
                break;
            }
        }
    }
    out
}

async fn lookup(site: &Site<'_>, name: String) -> Found {
    let cnames = match site.client.names().dns() {
        Some(dns) => dns.cname_chain(&name).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let addresses = site.client.names().addresses(&name).await;
    Found {
        name,
        cnames,
        addresses,
    }
}

async fn judge(site: &Site<'_>, found: &Found, production: &BTreeSet<String>) -> Verdict {
    let label = found.name.split('.').next().unwrap_or_default().to_string();
    let alias = if found.cnames.is_empty() {
        String::new()
    } else {
        format!("CNAME {} · ", found.cnames.join(" → "))
    };
    let service = found.cnames.iter().find_map(|c| edge_data::hosting_service(c));
    if let Err(e) = &found.addresses {
        // An alias whose target does not exist: whoever registers or claims it serves this name.
        let status = match (service, e) {
            (Some(s), NameError::NoSuchName(_)) if s.nxdomain_is_dangling => Status::Fail,
            (_, NameError::NoSuchName(_) | NameError::NoAddress(_)) => Status::Warn,
            (_, NameError::Failed(_)) => Status::Error,
        };
        let problem = match status {
            Status::Fail => Some(format!(
                "{} points at {} on {}, which does not exist: anyone can claim it there and serve pages as your domain",
                found.name,
                found.cnames.last().map_or("?", String::as_str),
                service.map_or("a hosting service", |s| s.name.as_str())
            )),
            Status::Warn => Some(format!(
                "{} points at {}, which has no address (a dangling alias)",
                found.name,
                found.cnames.last().map_or("?", String::as_str)
            )),
            _ => Some(format!("{} could not be looked up ({e})", found.name)),
        };
        return Verdict {
            status,
            line: format!("{alias}{e}"),
            problem,
        };
    }
    let https = Url::parse(&format!("https://{}/", found.name)).ok();
    let http = Url::parse(&format!("http://{}/", found.name)).ok();
    let secure = match &https {
        Some(u) => Some(site.page(u).await),
        None => None,
    };
    let plain = match (&secure, &http) {
        (Some(Ok(_)), _) | (_, None) => None,
        (_, Some(u)) => Some(site.page(u).await),
    };
    let mut parts = vec![alias.trim_end_matches(" · ").to_string()];
    let answer = match (&secure, &plain) {
        (Some(Ok(page)), _) => Some((page, true)),
        (_, Some(Ok(page))) => Some((page, false)),
        _ => None,
    };
    match &secure {
        Some(Ok(p)) => parts.push(format!("https {}", p.status)),
        Some(Err(e)) => parts.push(format!("https: {e}")),
        None => {}
    }
    if let Some(Ok(p)) = &plain {
        parts.push(format!("http {}", p.status));
    }
    parts.retain(|p| !p.is_empty());
    let line = parts.join(" · ");
    if let (Some(service), Some((page, _))) = (service, answer)
        && let Some(seen) = edge_data::is_unclaimed(service, page.status, &page.text())
    {
        return Verdict {
            status: Status::Fail,
            line: format!("{line} · \"{}\"", crate::probe::shorten(&seen, 80)),
            problem: Some(format!(
                "{} points at {} and shows its \"no such site\" page: anyone can claim that name there and serve pages as your domain",
                found.name, service.name
            )),
        };
    }
    let Some((page, over_https)) = answer else {
        return Verdict {
            status: Status::Pass,
            line,
            problem: None,
        };
    };
    let open = (200..300).contains(&page.status);
    if edge_data::is_non_production(&label) && open {
        let build = build_of(&page.text());
        let differs = !build.is_empty() && !production.is_empty() && build != *production;
        return Verdict {
            status: Status::Warn,
            line: format!(
                "{line}{}",
                if differs {
                    " · a different build than production"
                } else {
                    ""
                }
            ),
            problem: Some(format!(
                "{} (a {label} environment) is open to the internet{}",
                found.name,
                if differs {
                    " and serves a different build than production"
                } else {
                    ""
                }
            )),
        };
    }
    if !over_https && open {
        return Verdict {
            status: Status::Warn,
            line,
            problem: Some(format!("{} is served over plain HTTP only", found.name)),
        };
    }
    Verdict {
        status: Status::Pass,
        line,
        problem: None,
    }
}

pub(crate) async fn subdomains(site: &Site<'_>) -> ProbeResult {
    let Some(apex) = site.apex() else {
        return result(
            ID,
            Status::Skipped,
            "The target gives no domain name, so there are no subdomains to look up.",
            Vec::new(),
            Some("Add domain = \"your-product.example\" under [target].".into()),
        );
    };
    if site.client.names().dns().is_none() {
        return result(
            ID,
            Status::Error,
            "DNS could not be set up on this computer, so no subdomain was looked up.",
            Vec::new(),
            Some("Pass a DNS server with --resolver, then run the check again.".into()),
        );
    }
    let names: Vec<String> = edge_data::subdomain_names()
        .iter()
        .map(|n| format!("{n}.{apex}"))
        .collect();
    let looked = names.len();
    let pending: Vec<_> = names.into_iter().map(|n| lookup(site, n)).collect();
    let found: Vec<Found> = futures_util::stream::iter(pending).buffered(CONCURRENT).collect().await;
    let existing: Vec<&Found> = found
        .iter()
        .filter(|f| {
            !f.cnames.is_empty() || !matches!(f.addresses, Err(NameError::NoSuchName(_) | NameError::NoAddress(_)))
        })
        .collect();
    let failed = found
        .iter()
        .filter(|f| matches!(f.addresses, Err(NameError::Failed(_))))
        .count();
    let production = match site.app_page().await.as_ref().and_then(|c| c.page()) {
        Some(page) => build_of(&page.text()),
        None => BTreeSet::new(),
    };
    let mut evidence = vec![Evidence::new(
        "looked up",
        format!(
            "{looked} common names under {apex}; {} exist",
            existing.len() - failed.min(existing.len())
        ),
    )];
    let mut statuses = Vec::new();
    let mut problems = Vec::new();
    let pending: Vec<_> = existing
        .iter()
        .take(MAX_FETCHED)
        .map(|f| judge(site, f, &production))
        .collect();
    let judged = futures_util::stream::iter(pending)
        .buffered(4)
        .collect::<Vec<_>>()
        .await;
    for (f, v) in existing.iter().zip(judged) {
        evidence.push(Evidence::new(f.name.clone(), v.line));
        statuses.push(v.status);
        if let Some(p) = v.problem {
            problems.push(p);
        }
    }
    if existing.len() > MAX_FETCHED {
        evidence.push(Evidence::new(
            "not opened",
            format!(
                "{} more names exist; only the first {MAX_FETCHED} were opened",
                existing.len() - MAX_FETCHED
            ),
        ));
    }
    let status = worst(statuses.iter().copied());
    let (status, summary, fix) = match status {
        Status::Pass | Status::Skipped if existing.is_empty() => (
            Status::Pass,
            format!("None of the {looked} common subdomain names exists under {apex}, so none can be taken over."),
            None,
        ),
        Status::Pass | Status::Skipped => (
            Status::Pass,
            format!(
                "None of the {} subdomains found under {apex} points at an unclaimed service or an old environment.",
                existing.len()
            ),
            None,
        ),
        Status::Fail => (
            Status::Fail,
            format!("{}.", capital(&problems.join("; "))),
            Some(
                "Delete the DNS records of names you no longer use, or claim the name on the service again, today: a taken-over subdomain can serve phishing pages and read cookies of your domain.",
            ),
        ),
        Status::Warn => (
            Status::Warn,
            format!("{}.", capital(&problems.join("; "))),
            Some(
                "Remove DNS records of old environments, put staging behind a login (or an IP allowlist), and serve every name over HTTPS.",
            ),
        ),
        Status::Error => (
            Status::Error,
            format!("{}.", capital(&problems.join("; "))),
            Some("Check the DNS server, then run the check again."),
        ),
    };
    result(ID, status, summary, evidence, fix.map(str::to_string))
}
