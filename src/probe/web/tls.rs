//! `tls.certificate` and `tls.protocols`: the certificate every HTTPS name of the product shows
//! (the app's host, the apex and `www`, the API's host), and which TLS versions each accepts —
//! 1.3 and 1.2 through rustls, 1.1 and 1.0 (which rustls cannot speak) through a legacy
//! `ClientHello` of our own ([`super::legacy`]).

use std::fmt::Write as _;
use std::time::SystemTime;

use super::client::WebError;
use super::legacy::{self, Legacy, Outcome};
use super::{Site, result, worst};
use crate::probe::net::NameError;
use crate::result::{Evidence, ProbeResult, Status};

/// Endpoints checked at most.
const MAX_ENDPOINTS: usize = 6;

/// Whether an endpoint must answer: the app's and the API's hosts must, the apex and `www`
/// variants of another app host only when they exist and listen.
fn primary(site: &Site<'_>, host: &str, port: u16) -> bool {
    [site.app(), site.api()]
        .into_iter()
        .flatten()
        .filter(|u| u.scheme() == "https")
        .any(|u| {
            u.host_str().is_some_and(|h| crate::probe::dns::normalise(h) == host)
                && u.port_or_known_default() == Some(port)
        })
        || site.app().is_some_and(|u| u.scheme() == "http")
}

/// A secondary name that does not exist or does not listen on HTTPS: noted, not judged here
/// (`http.https_redirect` judges how the names are served).
fn absent(e: &WebError) -> bool {
    matches!(
        e,
        WebError::Name(NameError::NoSuchName(_) | NameError::NoAddress(_)) | WebError::Connect(_)
    )
}

fn shown(host: &str, port: u16) -> String {
    if port == 443 {
        host.to_string()
    } else {
        format!("{host}:{port}")
    }
}

pub(crate) async fn certificate(site: &Site<'_>) -> ProbeResult {
    let endpoints: Vec<(String, u16)> = site.tls_endpoints().into_iter().take(MAX_ENDPOINTS).collect();
    if endpoints.is_empty() {
        return result(
            "tls.certificate",
            Status::Skipped,
            "The target names no HTTPS address, so there is no certificate to check.",
            Vec::new(),
            Some("Add app_url = \"https://your-product.example\" under [target].".into()),
        );
    }
    let shakes = futures_util::future::join_all(
        endpoints
            .iter()
            .map(|(host, port)| site.client.handshake(host, *port, rustls::DEFAULT_VERSIONS)),
    )
    .await;
    let now = SystemTime::now();
    let mut statuses = Vec::new();
    let mut evidence = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    let mut good: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    for ((host, port), shake) in endpoints.iter().zip(shakes) {
        let name = shown(host, *port);
        match shake {
            Ok(seen) => {
                let verdict = super::cert::judge(host, &seen.chain, &seen.problems, now);
                statuses.push(verdict.status);
                if verdict.status == Status::Pass {
                    good.push(name.clone());
                } else {
                    bad.push(verdict.summary.clone());
                }
                evidence.extend(verdict.evidence);
                if let Some(fix) = verdict.fix
                    && !fixes.contains(&fix)
                {
                    fixes.push(fix);
                }
            }
            Err(e) if absent(&e) && !primary(site, host, *port) => {
                evidence.push(Evidence::new(
                    format!("https://{name}"),
                    format!("{e} (not judged here)"),
                ));
            }
            Err(e) => {
                statuses.push(Status::Error);
                bad.push(format!("{name}: {e}"));
                evidence.push(Evidence::new(format!("https://{name}"), e.to_string()));
            }
        }
    }
    if statuses.is_empty() && site.target.target.app_url.is_none() && site.api().is_none() {
        return result(
            "tls.certificate",
            Status::Skipped,
            "There is no HTTPS site to check: none of the site's names answers HTTPS, and the target gives no app address.",
            evidence,
            Some(
                "Add app_url = \"https://your-app.example\" under [target] if the app lives at another address.".into(),
            ),
        );
    }
    let status = worst(statuses.iter().copied());
    let summary = match status {
        Status::Pass => format!("The certificates of {} are valid and trusted.", good.join(", ")),
        Status::Skipped => "No HTTPS address of the product answered, so no certificate was seen.".to_string(),
        Status::Error if bad.is_empty() => "No certificate could be read.".to_string(),
        _ => bad.join(" "),
    };
    let status = if status == Status::Skipped {
        Status::Error
    } else {
        status
    };
    let fix = (!fixes.is_empty()).then(|| fixes.join(" "));
    let fix = fix.or_else(|| {
        (status == Status::Error).then(|| {
            "Check that the address is right and the server answers HTTPS, then run the check again.".to_string()
        })
    });
    result("tls.certificate", status, summary, evidence, fix)
}

/// Which versions one endpoint accepted.
#[derive(Default)]
struct Versions {
    accepted: Vec<&'static str>,
    refused: Vec<String>,
    undecided: Vec<String>,
}

pub(crate) async fn protocols(site: &Site<'_>) -> ProbeResult {
    let endpoints: Vec<(String, u16)> = site.tls_endpoints().into_iter().take(MAX_ENDPOINTS).collect();
    if endpoints.is_empty() {
        return result(
            "tls.protocols",
            Status::Skipped,
            "The target names no HTTPS address, so there are no TLS versions to check.",
            Vec::new(),
            Some("Add app_url = \"https://your-product.example\" under [target].".into()),
        );
    }
    let seen = futures_util::future::join_all(endpoints.iter().map(|(h, p)| versions(site, h, *p))).await;
    let mut statuses = Vec::new();
    let mut evidence = Vec::new();
    let mut legacy_hosts = Vec::new();
    let mut broken = Vec::new();
    let mut undecided = Vec::new();
    let mut no_13 = Vec::new();
    for ((host, port), outcome) in endpoints.iter().zip(seen) {
        let name = shown(host, *port);
        let v = match outcome {
            Ok(v) => v,
            Err(e) if absent(&e) && !primary(site, host, *port) => {
                evidence.push(Evidence::new(name, format!("{e} (not judged here)")));
                continue;
            }
            Err(e) => {
                statuses.push(Status::Error);
                undecided.push(format!("{name} ({e})"));
                evidence.push(Evidence::new(name, e.to_string()));
                continue;
            }
        };
        let mut line: Vec<String> = v.accepted.iter().map(|a| format!("{a} accepted")).collect();
        line.extend(v.refused.iter().cloned());
        line.extend(v.undecided.iter().cloned());
        evidence.push(Evidence::new(name.clone(), line.join(" · ")));
        let old: Vec<&str> = v
            .accepted
            .iter()
            .copied()
            .filter(|a| matches!(*a, "TLS 1.0" | "TLS 1.1" | "SSL 3.0"))
            .collect();
        if !old.is_empty() {
            statuses.push(Status::Warn);
            legacy_hosts.push(format!("{name} ({})", old.join(", ")));
        }
        let modern = v.accepted.iter().any(|a| matches!(*a, "TLS 1.2" | "TLS 1.3"));
        if !modern && v.undecided.is_empty() {
            statuses.push(Status::Fail);
            broken.push(name.clone());
        } else if !v.undecided.is_empty() {
            statuses.push(Status::Error);
            undecided.push(name.clone());
        } else {
            statuses.push(Status::Pass);
        }
        if modern && !v.accepted.contains(&"TLS 1.3") {
            no_13.push(name);
        }
    }
    if statuses.is_empty() && site.target.target.app_url.is_none() && site.api().is_none() {
        return result(
            "tls.protocols",
            Status::Skipped,
            "There is no HTTPS site to check: none of the site's names answers HTTPS, and the target gives no app address.",
            evidence,
            Some(
                "Add app_url = \"https://your-app.example\" under [target] if the app lives at another address.".into(),
            ),
        );
    }
    let status = worst(statuses.iter().copied());
    let (summary, fix) = match status {
        Status::Fail => (
            format!("{} accepts neither TLS 1.2 nor TLS 1.3, so browsers cannot connect safely.", broken.join(", ")),
            Some("Turn on TLS 1.2 and TLS 1.3 on the server or at the edge (CDN), and turn off older versions.".to_string()),
        ),
        Status::Error => (
            format!("Which TLS versions are accepted could not be decided for {}.", undecided.join(", ")),
            Some("Check that the server answers HTTPS, then run the check again.".to_string()),
        ),
        Status::Warn => (
            format!(
                "Old TLS versions are still accepted: {}. They have known weaknesses and fail security reviews.",
                legacy_hosts.join(", ")
            ),
            Some(
                "Set the minimum TLS version to 1.2 on the server or at the edge (Cloudflare: SSL/TLS → Edge Certificates → Minimum TLS Version).".to_string(),
            ),
        ),
        Status::Skipped => (
            "No HTTPS address of the product answered, so no TLS version was seen.".to_string(),
            Some("Check that the address is right and the server answers HTTPS.".to_string()),
        ),
        Status::Pass => {
            let mut s = "Only TLS 1.2 and 1.3 are accepted.".to_string();
            if !no_13.is_empty() {
                let _ = write!(s, " TLS 1.3 is not offered by {} (it is faster and recommended).", no_13.join(", "));
            }
            (s, None)
        }
    };
    let status = if status == Status::Skipped {
        Status::Error
    } else {
        status
    };
    result("tls.protocols", status, summary, evidence, fix)
}

/// The TLS versions `host:port` accepts; `Err` when it could not be reached at all.
async fn versions(site: &Site<'_>, host: &str, port: u16) -> Result<Versions, WebError> {
    // The four versions are offered at once, each on its own connection, so a server that
    // hangs costs one timeout, not four.
    let modern = |version: &'static rustls::SupportedProtocolVersion| async move {
        site.client.handshake(host, port, &[version]).await
    };
    let old = |version: Legacy| async move {
        let deadline = site.client.timeout();
        let sni = host.parse::<std::net::IpAddr>().is_err().then_some(host);
        let attempt = async {
            match site.client.connect(host, port).await {
                Ok((mut stream, _)) => legacy::offer(&mut stream, sni, version, deadline).await,
                Err(e) => Outcome::Failed(e.to_string()),
            }
        };
        tokio::time::timeout(deadline, attempt)
            .await
            .unwrap_or_else(|_| Outcome::Failed(format!("no answer within {}", crate::probe::http::seconds(deadline))))
    };
    let (tls13, tls12, tls11, tls10) = tokio::join!(
        modern(&rustls::version::TLS13),
        modern(&rustls::version::TLS12),
        old(Legacy::Tls11),
        old(Legacy::Tls10)
    );
    let mut v = Versions::default();
    let mut reached = false;
    let mut first_error = None;
    for (label, outcome) in [("TLS 1.3", tls13), ("TLS 1.2", tls12)] {
        match outcome {
            Ok(_) => {
                reached = true;
                v.accepted.push(label);
            }
            Err(WebError::Tls { refused: true, .. }) => {
                reached = true;
                v.refused.push(format!("{label} refused"));
            }
            Err(e) if absent(&e) || matches!(e, WebError::NotAllowed(_)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                reached = true;
                v.undecided.push(format!("{label}: {e}"));
            }
        }
    }
    if !reached {
        return Err(first_error.unwrap_or(WebError::Connect("no answer".into())));
    }
    for (label, outcome) in [("TLS 1.1", tls11), ("TLS 1.0", tls10)] {
        match outcome {
            Outcome::Accepted { version, .. } => {
                // A 1.1 hello answered with 1.0 says 1.0 is accepted (once).
                let seen = match version.as_str() {
                    "SSL 3.0" => "SSL 3.0",
                    "TLS 1.0" => "TLS 1.0",
                    _ => label,
                };
                if !v.accepted.contains(&seen) {
                    v.accepted.push(seen);
                }
            }
            Outcome::Refused(why) => v.refused.push(format!("{label} refused ({why})")),
            Outcome::Closed => v.refused.push(format!("{label} refused (connection closed)")),
            Outcome::NotTls(what) => v.undecided.push(format!("{label}: the answer was not TLS ({what})")),
            Outcome::Failed(why) => v.undecided.push(format!("{label}: {why}")),
        }
    }
    Ok(v)
}
