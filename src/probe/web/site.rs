//! `http.https_redirect`, `http.hsts`, `http.security_headers` and `http.cookies`: how the site's
//! names are served over plain HTTP and HTTPS, and what the app page's answer tells browsers.
//! The header rules themselves live in [`super::headers`].

use std::fmt::Write as _;

use hyper::header::{HeaderMap, SET_COOKIE};
use url::Url;

use super::client::{Page, WebError};
use super::headers::{self, Verdict};
use super::{Chain, Ending, Site, capital, result, worst};
use crate::probe::net::NameError;
use crate::result::{Evidence, ProbeResult, Status};

/// The plain-HTTP addresses a visitor may type: each of the site's names on port 80 (or the
/// app's own plain-HTTP address when `app_url` is one).
fn plain_starts(site: &Site<'_>) -> Vec<Url> {
    let app = site.app();
    let mut out: Vec<Url> = Vec::new();
    if let Some(app) = app.as_ref().filter(|u| u.scheme() == "http") {
        out.push(origin(app));
    }
    for name in site.site_names() {
        if let Ok(url) = Url::parse(&format!("http://{}/", host_for_url(&name)))
            && !out.iter().any(|u| u.host_str() == url.host_str())
        {
            out.push(url);
        }
    }
    out
}

/// The HTTPS addresses of the site's names (on the app's HTTPS port).
fn https_starts(site: &Site<'_>) -> Vec<Url> {
    let port = site
        .app()
        .filter(|u| u.scheme() == "https")
        .and_then(|u| u.port())
        .map_or(String::new(), |p| format!(":{p}"));
    site.site_names()
        .into_iter()
        .filter_map(|name| Url::parse(&format!("https://{}{port}/", host_for_url(&name))).ok())
        .collect()
}

fn host_for_url(name: &str) -> String {
    if name.contains(':') && !name.starts_with('[') {
        format!("[{name}]")
    } else {
        name.to_string()
    }
}

fn origin(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_path("/");
    u.set_query(None);
    u.set_fragment(None);
    u
}

/// `https://acme.example` (the port only when it is not the default).
fn origin_words(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn missing(e: &WebError) -> bool {
    matches!(e, WebError::Name(NameError::NoSuchName(_) | NameError::NoAddress(_)))
}

pub(crate) async fn https_redirect(site: &Site<'_>) -> ProbeResult {
    const ID: &str = "http.https_redirect";
    let plain = plain_starts(site);
    let secure = https_starts(site);
    if plain.is_empty() {
        return result(
            ID,
            Status::Skipped,
            "The target names no site address, so there is nothing to follow.",
            Vec::new(),
            Some("Add app_url = \"https://your-product.example\" under [target].".into()),
        );
    }
    let chains = futures_util::future::join_all(plain.iter().chain(&secure).map(|u| site.follow(u))).await;
    let (plain_chains, secure_chains) = chains.split_at(plain.len());
    let mut statuses = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut evidence = Vec::new();
    let mut ends: Vec<Url> = Vec::new();
    let mut temporary = Vec::new();
    for chain in plain_chains {
        evidence.extend(chain.lines().into_iter().map(|l| Evidence::new("redirect", l)));
        match &chain.ending {
            Ending::Answer(Ok(page)) if page.url.scheme() == "https" => {
                ends.push(origin(&page.url));
                let temp: Vec<u16> = chain
                    .hops
                    .iter()
                    .filter_map(|h| h.outcome.as_ref().ok().map(|(s, _)| *s))
                    .filter(|s| matches!(s, 302 | 303 | 307))
                    .collect();
                if temp.is_empty() {
                    statuses.push(Status::Pass);
                } else {
                    statuses.push(Status::Warn);
                    temporary.push(format!(
                        "{} ({})",
                        chain.start,
                        temp.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
            Ending::Answer(Ok(page)) => {
                statuses.push(Status::Fail);
                problems.push(format!(
                    "{} answers {} over plain HTTP instead of redirecting to HTTPS",
                    chain.start, page.status
                ));
                evidence.push(Evidence::new(
                    "plain HTTP",
                    format!("{} → {} without a redirect", page.url, page.status),
                ));
            }
            Ending::Answer(Err(e)) if missing(e) => {
                evidence.push(Evidence::new(
                    "plain HTTP",
                    format!("{}: {e} (not judged)", chain.start),
                ));
            }
            Ending::Answer(Err(WebError::Connect(why))) if chain.hops.is_empty() => {
                statuses.push(Status::Warn);
                problems.push(format!(
                    "{} does not answer plain HTTP at all ({why}): visitors who type the address without https:// get an error page",
                    chain.start
                ));
            }
            Ending::Answer(Err(e)) => {
                statuses.push(Status::Error);
                problems.push(format!("following {} failed: {e}", chain.start));
            }
            Ending::Loop(url) => {
                statuses.push(Status::Fail);
                problems.push(format!("{} redirects in a loop (back to {url})", chain.start));
            }
            Ending::TooMany => {
                statuses.push(Status::Fail);
                problems.push(format!(
                    "{} redirects {} times without arriving anywhere",
                    chain.start,
                    super::MAX_HOPS
                ));
            }
            Ending::Elsewhere(url) => {
                statuses.push(Status::Fail);
                problems.push(format!(
                    "{} redirects to another host, {}",
                    chain.start,
                    url.host_str().unwrap_or("?")
                ));
            }
            Ending::NoLocation(status) => {
                statuses.push(Status::Fail);
                problems.push(format!("{} answers {status} without saying where to go", chain.start));
            }
        }
    }
    // The HTTPS variants must end at the same origin as the rest (when they are served at all).
    for chain in secure_chains {
        if let Ending::Answer(Ok(page)) = &chain.ending {
            if !chain.hops.is_empty() {
                evidence.extend(chain.lines().into_iter().map(|l| Evidence::new("redirect", l)));
            }
            if page.url.scheme() == "https" {
                ends.push(origin(&page.url));
            }
        }
    }
    let mut origins: Vec<String> = ends.iter().map(origin_words).collect();
    origins.dedup();
    origins.sort();
    origins.dedup();
    if origins.len() > 1 {
        statuses.push(Status::Fail);
        problems.push(format!(
            "the site's addresses end at {} different places ({}) instead of one",
            origins.len(),
            origins.join(", ")
        ));
    }
    if statuses.is_empty()
        && let Some(Ending::Answer(Err(e))) = plain_chains.first().map(|c| &c.ending)
        && let Some(skipped) = site.no_site(ID, e)
    {
        return skipped;
    }
    let status = worst(statuses.iter().copied());
    let (status, summary, fix) = match status {
        Status::Pass => (
            Status::Pass,
            format!(
                "Every plain-HTTP address redirects permanently to one HTTPS address, {}.",
                origins.first().map_or("the site", String::as_str)
            ),
            None,
        ),
        Status::Skipped => (
            Status::Error,
            "None of the site's addresses could be reached, so the redirects are unknown.".to_string(),
            Some("Check the app address in the target file, then run the check again.".to_string()),
        ),
        Status::Warn if problems.is_empty() => (
            Status::Warn,
            format!(
                "Plain HTTP reaches HTTPS, but with a temporary redirect: {}. Browsers and search engines do not remember temporary redirects.",
                temporary.join(", ")
            ),
            Some("Make the HTTP-to-HTTPS redirect permanent (301 or 308) at the edge or in the server.".to_string()),
        ),
        other => {
            let mut text = capital(&problems.join("; "));
            text.push('.');
            if !temporary.is_empty() {
                let _ = write!(text, " Temporary redirects: {}.", temporary.join(", "));
            }
            (
                other,
                text,
                Some(
                    "Redirect every variant of the domain (with and without www, http and https) permanently (301/308) to one HTTPS address, at the edge (Cloudflare: Always Use HTTPS plus one redirect rule) or in the server.".to_string(),
                ),
            )
        }
    };
    result(ID, status, summary, evidence, fix)
}

/// The app page as a browser ends on it, or the result to give when it cannot be had.
async fn app_page(site: &Site<'_>, id: &str) -> Result<(Chain, Page), ProbeResult> {
    let Some(chain) = site.app_page().await else {
        return Err(result(
            id,
            Status::Skipped,
            "The target names no site address, so there is no page to read.",
            Vec::new(),
            Some("Add app_url = \"https://your-product.example\" under [target].".into()),
        ));
    };
    if let Ending::Answer(Err(e)) = &chain.ending
        && let Some(skipped) = site.no_site(id, e)
    {
        return Err(skipped);
    }
    let Ending::Answer(Ok(page)) = &chain.ending else {
        let mut evidence: Vec<Evidence> = chain
            .lines()
            .into_iter()
            .map(|l| Evidence::new("redirect", l))
            .collect();
        let why = match &chain.ending {
            Ending::Answer(Err(e)) => e.to_string(),
            _ => evidence.last().map(|e| e.value.clone()).unwrap_or_default(),
        };
        evidence.push(Evidence::new("app page", why.clone()));
        return Err(result(
            id,
            Status::Error,
            format!(
                "The app page {} could not be read ({why}), so nothing was decided.",
                chain.start
            ),
            evidence,
            Some("Check that the app address answers, then run the check again.".into()),
        ));
    };
    let page = page.clone();
    Ok((chain, page))
}

fn from_verdict(id: &str, page: &Page, verdict: Verdict) -> ProbeResult {
    let mut evidence = vec![Evidence::new("page", format!("{} → {}", page.url, page.status))];
    evidence.extend(verdict.evidence);
    result(id, verdict.status, verdict.summary, evidence, verdict.fix)
}

pub(crate) async fn hsts(site: &Site<'_>) -> ProbeResult {
    const ID: &str = "http.hsts";
    let (_, page) = match app_page(site, ID).await {
        Ok(found) => found,
        Err(result) => return result,
    };
    let https = page.url.scheme() == "https";
    if !https {
        return result(
            ID,
            Status::Fail,
            format!("The app page {} is served over plain HTTP, so browsers cannot be told to always use HTTPS.", page.url),
            vec![Evidence::new("page", format!("{} → {}", page.url, page.status))],
            Some("Serve the app over HTTPS, redirect plain HTTP to it, then send Strict-Transport-Security: max-age=31536000; includeSubDomains.".into()),
        );
    }
    from_verdict(ID, &page, headers::judge_hsts(&page.headers, https))
}

pub(crate) async fn security_headers(site: &Site<'_>) -> ProbeResult {
    const ID: &str = "http.security_headers";
    match app_page(site, ID).await {
        Ok((_, page)) => from_verdict(ID, &page, headers::judge_security_headers(&page.headers)),
        Err(result) => result,
    }
}

pub(crate) async fn cookies(site: &Site<'_>) -> ProbeResult {
    const ID: &str = "http.cookies";
    let (chain, page) = match app_page(site, ID).await {
        Ok(found) => found,
        Err(result) => return result,
    };
    // Every Set-Cookie on the way to the app page and on it (the hops are kept, not fetched
    // again), and on the API's health answer when there is one.
    let mut seen = HeaderMap::new();
    let mut pages = vec![page.clone()];
    for hop in &chain.hops {
        if let Ok(p) = site.page(&hop.url).await {
            pages.push(p);
        }
    }
    if let (Some(api), Some(path)) = (site.api(), site.target.target.health_path.as_deref())
        && let Ok(url) = api.join(path)
        && let Ok(p) = site.page(&url).await
    {
        pages.push(p);
    }
    for p in &pages {
        for value in p.headers.get_all(SET_COOKIE) {
            seen.append(SET_COOKIE, value.clone());
        }
    }
    let verdict = headers::judge_cookies(&seen, page.url.scheme() == "https");
    if verdict.status == Status::Skipped {
        return result(
            ID,
            Status::Skipped,
            format!(
                "The pages opened ({}) set no cookies. Session cookies are usually set at sign-in, which this check does not do.",
                pages.iter().map(|p| p.url.to_string()).collect::<Vec<_>>().join(", ")
            ),
            verdict.evidence,
            Some("Answer the question about session cookies instead, or check them in the browser's developer tools after signing in.".into()),
        );
    }
    from_verdict(ID, &page, verdict)
}
