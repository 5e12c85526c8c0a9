//! `edge.cdn`: whether the app's and the API's traffic passes a CDN or firewall edge (Cloudflare
//! and the like), recognised from the answers' headers, the names' CNAME chains and their
//! addresses against the providers' published ranges (the data lives in [`super::edge_data`]).

use url::Url;

use super::edge_data::{self, Kind};
use super::{Ending, Site, result, worst};
use crate::result::{Evidence, ProbeResult, Status};

const ID: &str = "edge.cdn";

/// What was seen of one host.
struct Seen {
    role: &'static str,
    host: String,
    status: Status,
    words: String,
}

async fn look(site: &Site<'_>, role: &'static str, url: &Url, evidence: &mut Vec<Evidence>) -> Seen {
    let host = url.host_str().unwrap_or_default().to_string();
    let chain = site.follow(url).await;
    let mut headers: Vec<(String, String)> = Vec::new();
    for hop in &chain.hops {
        if let Ok(page) = site.page(&hop.url).await {
            headers.extend(page.header_pairs());
        }
    }
    let answered = match &chain.ending {
        Ending::Answer(Ok(page)) => {
            headers.extend(page.header_pairs());
            evidence.push(Evidence::new(
                format!("{role} {host}"),
                format!("{} → {}", page.url, page.status),
            ));
            true
        }
        Ending::Answer(Err(e)) => {
            evidence.push(Evidence::new(format!("{role} {host}"), e.to_string()));
            false
        }
        _ => {
            evidence.push(Evidence::new(
                format!("{role} {host}"),
                chain.lines().last().cloned().unwrap_or_default(),
            ));
            !chain.hops.is_empty()
        }
    };
    let bare = crate::probe::dns::normalise(host.trim_start_matches('[').trim_end_matches(']'));
    let is_name = bare.parse::<std::net::IpAddr>().is_err();
    let mut cnames = Vec::new();
    if is_name && let Some(dns) = site.client.names().dns() {
        match dns.cname_chain(&bare).await {
            Ok(chain) => cnames = chain,
            Err(e) => evidence.push(Evidence::new(format!("CNAME {bare}"), e.to_string())),
        }
    }
    if !cnames.is_empty() {
        evidence.push(Evidence::new(format!("CNAME {bare}"), cnames.join(" → ")));
    }
    let addresses = site.client.names().addresses(&bare).await.unwrap_or_default();
    let sightings = edge_data::recognise(&headers, &cnames, &addresses);
    for s in &sightings {
        evidence.push(Evidence::new(format!("{} {bare}", s.provider), s.reason.clone()));
    }
    let cdn: Vec<&str> = sightings
        .iter()
        .filter(|s| s.kind == Kind::Cdn)
        .map(|s| s.provider)
        .collect();
    let hosts: Vec<&str> = sightings
        .iter()
        .filter(|s| s.kind == Kind::Host)
        .map(|s| s.provider)
        .collect();
    let (status, words) = if !cdn.is_empty() {
        (Status::Pass, format!("behind {}", cdn.join(" and ")))
    } else if !hosts.is_empty() {
        (
            Status::Warn,
            format!(
                "served through {}'s proxy, which is hosting rather than a CDN or firewall edge with flood (DDoS) protection",
                hosts.join(" and ")
            ),
        )
    } else if !answered {
        (
            Status::Error,
            "could not be reached, so its edge is unknown".to_string(),
        )
    } else {
        (
            Status::Fail,
            "answers directly, with no CDN or firewall edge in front of it".to_string(),
        )
    };
    Seen {
        role,
        host: bare,
        status,
        words,
    }
}

pub(crate) async fn cdn(site: &Site<'_>) -> ProbeResult {
    let mut evidence = Vec::new();
    let mut seen = Vec::new();
    if let Some(app) = site.app() {
        if site.target.target.app_url.is_none()
            && let Err(e) = site.page(&app).await
            && let Some(skipped) = site.no_site(ID, &e)
            && site.api().is_none()
        {
            return skipped;
        }
        seen.push(look(site, "app", &app, &mut evidence).await);
    }
    if let Some(api) = site.api() {
        let url = match site.target.target.health_path.as_deref() {
            Some(path) => api.join(path).unwrap_or(api),
            None => api,
        };
        seen.push(look(site, "API", &url, &mut evidence).await);
    }
    if seen.is_empty() {
        return result(
            ID,
            Status::Skipped,
            "The target names no site or API address, so there is no edge to look for.",
            evidence,
            Some("Add app_url = \"https://your-product.example\" under [target].".into()),
        );
    }
    let status = worst(seen.iter().map(|s| s.status));
    let summary = seen
        .iter()
        .map(|s| {
            let role = if s.role == "app" { "The app" } else { "The API" };
            format!("{role} ({}) {}.", s.host, s.words)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let fix = match status {
        Status::Fail | Status::Warn => Some(
            "Put the site and the API behind a CDN with a web application firewall and DDoS protection (e.g. Cloudflare with the proxy switched on for these DNS names), and let only the edge reach the origin server.".to_string(),
        ),
        Status::Error => Some("Check that the addresses answer, then run the check again.".to_string()),
        _ => None,
    };
    result(ID, status, summary, evidence, fix)
}
