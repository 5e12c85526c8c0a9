//! The web edge probes: certificates, TLS versions, HTTPS redirects, HSTS, security headers,
//! cookies, the CDN edge, private caching, mixed content and stale subdomains.
//!
//! [`Site`] is what a check gets: the target, the [`client::WebClient`] and the addresses worth
//! checking, derived once from `app_url`, `api_base` and `domain` — the app's origin, the apex
//! and `www` names, the API host. Pages are fetched through [`Site::page`], which keeps an answer
//! for a few seconds so the five checks that read the app page make one request, not five.
//! Redirects are followed by [`Site::follow`] itself, hop by hop, at most [`MAX_HOPS`], within the
//! target's hosts only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use url::Url;

use super::engine::Progress;
use crate::result::{Evidence, ProbeResult, Status};
use crate::target::TargetFile;

pub mod cert;
pub mod client;
pub(crate) mod content;
pub(crate) mod edge;
pub mod edge_data;
pub mod headers;
pub mod legacy;
pub mod mint;
pub(crate) mod site;
pub(crate) mod subdomains;
pub(crate) mod tls;

use client::{Page, WebClient, WebError};

/// Redirects followed at most, from the first address to the last answer.
pub const MAX_HOPS: usize = 10;
/// How long a fetched page is reused by the other checks of a run (and a new run forgets them).
const PAGE_TTL: Duration = Duration::from_secs(20);

/// One answer being fetched or fetched already, shared by whoever asks for its URL.
type Fetched = Arc<tokio::sync::OnceCell<Result<Page, WebError>>>;

/// Answers recently fetched, by URL, shared by the checks of one target.
#[derive(Default)]
pub struct Pages {
    kept: Mutex<HashMap<String, (Instant, Fetched)>>,
}

impl Pages {
    /// Forgets every answer: a new run (or a re-run after a fix) asks again.
    pub fn clear(&self) {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    fn cell(&self, url: &Url) -> Fetched {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|_, (at, _)| at.elapsed() < PAGE_TTL);
        Arc::clone(
            &kept
                .entry(url.to_string())
                .or_insert_with(|| (Instant::now(), Arc::default()))
                .1,
        )
    }
}

/// What a web check runs with. See the module documentation.
pub struct Site<'a> {
    pub target: &'a TargetFile,
    pub client: &'a WebClient,
    pub pages: &'a Pages,
    pub progress: &'a Progress,
}

/// One hop of a redirect chain.
#[derive(Debug, Clone)]
pub struct Hop {
    pub url: Url,
    pub outcome: Result<(u16, Option<String>), WebError>,
}

/// How following redirects from an address ended.
// The answer is the usual ending and there are a handful of chains per check: boxing it would
// only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Ending {
    /// An answer that is not a redirect (any status), or a failure on the way.
    Answer(Result<Page, WebError>),
    /// A redirect back to an address already visited.
    Loop(Url),
    /// More than [`MAX_HOPS`] redirects.
    TooMany,
    /// A redirect to a host the target does not name (not followed).
    Elsewhere(Url),
    /// A redirect without a usable `Location`.
    NoLocation(u16),
}

/// The hops taken from one address, and how it ended.
#[derive(Debug, Clone)]
pub struct Chain {
    pub start: Url,
    pub hops: Vec<Hop>,
    pub ending: Ending,
}

impl Chain {
    /// The final answer, when the chain ended in one.
    pub fn page(&self) -> Option<&Page> {
        match &self.ending {
            Ending::Answer(Ok(page)) => Some(page),
            _ => None,
        }
    }

    /// Each hop as one line: `http://acme.example/ → 301 https://acme.example/`.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .hops
            .iter()
            .map(|h| match &h.outcome {
                Ok((status, Some(to))) => format!("{} → {status} {}", h.url, crate::probe::shorten(to, 120)),
                Ok((status, None)) => format!("{} → {status}", h.url),
                Err(e) => format!("{} → {e}", h.url),
            })
            .collect();
        match &self.ending {
            Ending::Loop(url) => out.push(format!("back to {url}: a redirect loop")),
            Ending::TooMany => out.push(format!("{MAX_HOPS} redirects without arriving: stopped")),
            Ending::Elsewhere(url) => out.push(format!("{url}: another host, not followed")),
            Ending::NoLocation(status) => out.push(format!("{status} without a Location to go to")),
            Ending::Answer(_) => {}
        }
        out
    }
}

impl Site<'_> {
    /// The app's address: `app_url`, else `https://DOMAIN/`.
    pub fn app(&self) -> Option<Url> {
        let t = &self.target.target;
        t.app_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
            .or_else(|| {
                t.domain
                    .as_deref()
                    .and_then(|d| Url::parse(&format!("https://{d}/")).ok())
            })
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
    }

    /// The API's address, when it differs from the app's host.
    pub fn api(&self) -> Option<Url> {
        let api = Url::parse(self.target.target.api_base.as_deref()?).ok()?;
        let app = self.app();
        (app.as_ref().and_then(Url::host_str) != api.host_str() || app.as_ref().map(Url::port) != Some(api.port()))
            .then_some(api)
    }

    /// The site's apex name: the target's domain, else the registrable domain of the app's host
    /// (none for an address).
    pub fn apex(&self) -> Option<String> {
        if let Some(domain) = &self.target.target.domain {
            return Some(crate::probe::dns::normalise(domain));
        }
        let host = self.app()?.host_str()?.to_string();
        // An address, or a one-label name such as `localhost`, has no apex and no `www`.
        if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') || !host.contains('.') {
            return None;
        }
        Some(crate::probe::dns::organisational(&host))
    }

    /// The names a visitor types for the site: the apex and `www`, and the app's own host when
    /// it is another (e.g. `app.acme.example`); just the app's host for an address.
    pub fn site_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if let Some(apex) = self.apex().filter(|a| self.client.scope().allows(a)) {
            names.push(apex.clone());
            names.push(format!("www.{apex}"));
        }
        if let Some(host) = self.app().as_ref().and_then(Url::host_str) {
            let host = crate::probe::dns::normalise(host);
            if !names.contains(&host) {
                names.push(host);
            }
        }
        names
    }

    /// The HTTPS endpoints whose certificates matter: the site's names (on the app's HTTPS port)
    /// and the API's host, each `(host, port)` once.
    pub fn tls_endpoints(&self) -> Vec<(String, u16)> {
        let app = self.app();
        let https_port = app
            .as_ref()
            .filter(|u| u.scheme() == "https")
            .and_then(Url::port_or_known_default)
            .unwrap_or(443);
        let mut out: Vec<(String, u16)> = Vec::new();
        let mut add = |host: String, port: u16| {
            if !out.contains(&(host.clone(), port)) {
                out.push((host, port));
            }
        };
        for name in self.site_names() {
            add(name, https_port);
        }
        if let Some(api) = self.api().filter(|u| u.scheme() == "https")
            && let (Some(host), Some(port)) = (api.host_str(), api.port_or_known_default())
        {
            add(crate::probe::dns::normalise(host), port);
        }
        out
    }

    /// `GET url`, reusing an answer fetched a moment ago by another check.
    pub async fn page(&self, url: &Url) -> Result<Page, WebError> {
        let cell = self.pages.cell(url);
        cell.get_or_init(|| async { self.client.get(url).await }).await.clone()
    }

    /// Follows redirects from `start` (see the module documentation).
    pub async fn follow(&self, start: &Url) -> Chain {
        let mut hops = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut url = start.clone();
        let ending = loop {
            if hops.len() >= MAX_HOPS {
                break Ending::TooMany;
            }
            seen.push(url.to_string());
            let page = match self.page(&url).await {
                Ok(page) => page,
                Err(e) => break Ending::Answer(Err(e)),
            };
            if !(300..400).contains(&page.status) || page.status == 304 {
                break Ending::Answer(Ok(page));
            }
            let location = page.header("location").map(str::to_string);
            hops.push(Hop {
                url: url.clone(),
                outcome: Ok((page.status, location.clone())),
            });
            let Some(next) = location.and_then(|l| url.join(&l).ok()) else {
                break Ending::NoLocation(page.status);
            };
            if seen.contains(&next.to_string()) {
                break Ending::Loop(next);
            }
            if !matches!(next.scheme(), "http" | "https")
                || !next.host_str().is_some_and(|h| self.client.scope().allows(h))
            {
                break Ending::Elsewhere(next);
            }
            url = next;
        };
        Chain {
            start: start.clone(),
            hops,
            ending,
        }
    }

    /// The result to give instead of judging when the site's address was only guessed from the
    /// domain (no `app_url`) and that name has no web address: many email domains have none.
    pub fn no_site(&self, id: &str, e: &WebError) -> Option<ProbeResult> {
        let missing = matches!(
            e,
            WebError::Name(crate::probe::net::NameError::NoSuchName(_) | crate::probe::net::NameError::NoAddress(_))
        );
        (missing && self.target.target.app_url.is_none()).then(|| {
            result(
                id,
                Status::Skipped,
                format!("There is no web site to check: {e}, and the target gives no app address."),
                Vec::new(),
                Some(
                    "Add app_url = \"https://your-app.example\" under [target] if the app lives at another address."
                        .into(),
                ),
            )
        })
    }

    /// The app page as a browser ends up on it: `app()` with its redirects followed.
    pub async fn app_page(&self) -> Option<Chain> {
        let app = self.app()?;
        Some(self.follow(&app).await)
    }
}

/// A check's result from its parts.
pub(crate) fn result(
    id: &str,
    status: Status,
    summary: impl Into<String>,
    evidence: Vec<Evidence>,
    fix: Option<String>,
) -> ProbeResult {
    let mut r = ProbeResult::new(id, status, "", summary);
    r.evidence = evidence;
    r.fix_if(fix)
}

/// The worst of several statuses, `error` ranked below `fail` (a decided problem outweighs an
/// undecided one) and `skipped` lowest.
pub(crate) fn worst(statuses: impl IntoIterator<Item = Status>) -> Status {
    let rank = |s: Status| match s {
        Status::Skipped => 0,
        Status::Pass => 1,
        Status::Warn => 2,
        Status::Error => 3,
        Status::Fail => 4,
    };
    statuses.into_iter().max_by_key(|s| rank(*s)).unwrap_or(Status::Skipped)
}

/// What each web check needs from the target file: the `configured` predicates of the
/// registry's web entries.
pub mod needs {
    use crate::target::TargetFile;

    /// An app address or a domain: the site a browser opens.
    pub fn site(t: &TargetFile) -> bool {
        t.target.app_url.is_some() || t.target.domain.is_some()
    }

    /// The site, or an API address served over HTTPS.
    pub fn tls(t: &TargetFile) -> bool {
        site(t) || t.target.api_base.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// A domain name to try subdomains of: the target's domain, or an app address with a name.
    pub fn subdomains(t: &TargetFile) -> bool {
        t.target.domain.is_some()
            || t.target
                .app_url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .is_some_and(|u| matches!(u.host(), Some(url::Host::Domain(d)) if d.contains('.')))
    }

    /// The API and a private or admin route that can be read.
    pub fn private_cache(t: &TargetFile) -> bool {
        t.target.api_base.is_some()
            && t.target
                .private_routes
                .iter()
                .chain(&t.target.admin_routes)
                .any(|r| r.method.eq_ignore_ascii_case("GET"))
    }
}

/// `text` with its first letter in upper case.
pub(crate) fn capital(text: &str) -> String {
    // An address stays as it is written.
    if text.starts_with("http://") || text.starts_with("https://") {
        return text.to_string();
    }
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::ProbeCtx;
    use crate::probe::net::Names;

    fn names_of(lines: &str) -> (Vec<String>, Vec<(String, u16)>) {
        let text = format!("[product]\nname = \"T\"\nvertical = \"b2b-service\"\n[target]\n{lines}\n");
        let target = TargetFile::parse("t.toml", &text, &["b2b-service"]).unwrap();
        let ctx = ProbeCtx::default();
        let client = WebClient::new(
            &ctx,
            &target,
            Arc::new(Names::new(&ctx, Err("no DNS in this test".into()))),
        );
        let pages = Pages::default();
        let progress = Progress::silent("tls.certificate");
        let site = Site {
            target: &target,
            client: &client,
            pages: &pages,
            progress: &progress,
        };
        (site.site_names(), site.tls_endpoints())
    }

    #[test]
    fn the_names_worth_checking_come_from_the_target() {
        let (names, tls) = names_of(
            "domain = \"acme.example\"\napp_url = \"https://app.acme.example/\"\napi_base = \"https://api.acme.example:8443\"",
        );
        assert_eq!(names, ["acme.example", "www.acme.example", "app.acme.example"]);
        assert_eq!(
            tls,
            [
                ("acme.example".to_string(), 443),
                ("www.acme.example".to_string(), 443),
                ("app.acme.example".to_string(), 443),
                ("api.acme.example".to_string(), 8443),
            ]
        );
        // The apex of an app on a subdomain, without a domain given.
        assert_eq!(
            names_of("app_url = \"https://app.acme.example/\"").0,
            ["acme.example", "www.acme.example", "app.acme.example"]
        );
        // An address or a one-label name has no apex and no www.
        assert_eq!(
            names_of("app_url = \"https://127.0.0.1:8443/\"").1,
            [("127.0.0.1".to_string(), 8443)]
        );
        assert_eq!(names_of("app_url = \"https://localhost:8443/\"").0, ["localhost"]);
        // A plain-HTTP app still has its HTTPS names checked on 443.
        assert_eq!(
            names_of("app_url = \"http://acme.example:8080/\"").1,
            [("acme.example".to_string(), 443), ("www.acme.example".to_string(), 443)]
        );
    }
}
