//! The email and DNS family: `email.mx`, `email.spf`, `email.dkim`, `email.dmarc` and `dns.caa`
//! for one domain, all resolved concurrently.

use futures_util::future::BoxFuture;

use super::dns::{Answer, Dns, DnsError, Resolve};
use super::{ProbeResult, Status, dkim, dmarc, spf};

/// What the vertical (or the user) says about this domain's email.
#[derive(Debug, Clone, Default)]
pub struct EmailOptions {
    /// DKIM selectors to try besides the well-known ones.
    pub selectors: Vec<String>,
    /// The weakest DMARC policy that passes (`none`, `quarantine`, `reject`); default: p=none warns.
    pub min_dmarc_policy: Option<String>,
}

impl EmailOptions {
    /// The options a checklist sets: its weakest acceptable DMARC policy, no extra selectors.
    pub fn for_checklist(checklist: &crate::checklist::Checklist) -> EmailOptions {
        EmailOptions {
            selectors: Vec::new(),
            min_dmarc_policy: checklist
                .threshold("dmarc.min_policy")
                .and_then(|t| t.policy())
                .map(str::to_string),
        }
    }
}

/// Runs every email and DNS check of `domain`.
pub async fn check<R: Resolve>(domain: &str, dns: &R, options: &EmailOptions) -> Vec<ProbeResult> {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    // One query first tells a mistyped domain from a real one; the checks below share the
    // resolver's cache, so this costs no extra round trip for the SPF lookup.
    if let Ok(Some((summary, fix))) | Err((summary, fix)) = missing_domain(&domain, dns).await {
        use super::registry::{CHECKS, Runner};
        return CHECKS
            .iter()
            .filter(|c| matches!(c.run, Runner::Email(_)))
            .map(|c| ProbeResult::new(c.id, Status::Error, title(c.id), summary.clone()).fix(fix.clone()))
            .collect();
    }
    let (mx, spf, dkim, dmarc, caa) = tokio::join!(
        bounded("email.mx", check_mx(&domain, dns)),
        bounded("email.spf", spf::check(&domain, dns)),
        bounded("email.dkim", dkim::check(&domain, &options.selectors, dns)),
        bounded(
            "email.dmarc",
            dmarc::check(&domain, dns, options.min_dmarc_policy.as_deref())
        ),
        bounded("dns.caa", check_caa(&domain, dns)),
    );
    vec![mx, spf, dkim, dmarc, caa]
}

/// The longest one email check may take: SPF alone could otherwise chain many slow lookups.
pub const BUDGET: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `check` within [`BUDGET`]; past it, the check is stopped and reports `error`.
pub async fn bounded(id: &str, check: impl std::future::Future<Output = ProbeResult>) -> ProbeResult {
    match tokio::time::timeout(BUDGET, check).await {
        Ok(result) => result,
        Err(_) => ProbeResult::new(
            id,
            Status::Error,
            title(id),
            format!(
                "The check did not finish within {} s and was stopped; nothing was decided.",
                BUDGET.as_secs()
            ),
        )
        .fix("Check that the DNS server answers promptly (or pass another with --resolver), then run the check again."),
    }
}

/// When the domain itself does not exist (`Ok(Some)`: a fact, worth remembering), or DNS cannot
/// be reached at all (`Err`: worth asking again later), every check says so plainly (this
/// summary and fix) instead of listing five unrelated failures. `Ok(None)`: the domain exists.
pub async fn missing_domain<R: Resolve>(domain: &str, dns: &R) -> Result<Option<(String, String)>, (String, String)> {
    match dns.txt(domain).await {
        Ok(Answer::NxDomain) => match dns.addresses(domain).await {
            Ok(Answer::NxDomain) => Ok(Some((
                format!("{domain} does not exist in DNS (NXDOMAIN), so nothing about its email can be checked."),
                "Check the spelling of the domain. If it is new, make sure it is registered and its name servers are set.".into(),
            ))),
            _ => Ok(None),
        },
        Err(e) => Err((
            format!("Could not look up {domain}: {e}. Nothing was decided."),
            "Check your network or pass another DNS server with --resolver, then run the check again.".into(),
        )),
        Ok(_) => Ok(None),
    }
}

// The family's checks as the registry runs them.

pub fn mx<'a>(domain: &'a str, dns: &'a Dns, _: &'a EmailOptions) -> BoxFuture<'a, ProbeResult> {
    Box::pin(check_mx(domain, dns))
}

pub fn spf<'a>(domain: &'a str, dns: &'a Dns, _: &'a EmailOptions) -> BoxFuture<'a, ProbeResult> {
    Box::pin(spf::check(domain, dns))
}

pub fn dkim<'a>(domain: &'a str, dns: &'a Dns, options: &'a EmailOptions) -> BoxFuture<'a, ProbeResult> {
    Box::pin(dkim::check(domain, &options.selectors, dns))
}

pub fn dmarc<'a>(domain: &'a str, dns: &'a Dns, options: &'a EmailOptions) -> BoxFuture<'a, ProbeResult> {
    Box::pin(dmarc::check(domain, dns, options.min_dmarc_policy.as_deref()))
}

pub fn caa<'a>(domain: &'a str, dns: &'a Dns, _: &'a EmailOptions) -> BoxFuture<'a, ProbeResult> {
    Box::pin(check_caa(domain, dns))
}

fn title(id: &str) -> &'static str {
    super::registry::title(id)
}

/// `email.mx`: the domain receives mail on servers that resolve, or says on purpose that it
/// takes none (RFC 7505 null MX).
pub async fn check_mx<R: Resolve>(domain: &str, dns: &R) -> ProbeResult {
    const ID: &str = "email.mx";
    let error = |e: &DnsError| {
        ProbeResult::new(
            ID,
            Status::Error,
            title(ID),
            format!("Could not read the mail servers of {domain}: {e}."),
        )
    };
    let mut records = match dns.mx(domain).await {
        Err(e) => return error(&e),
        Ok(Answer::Found(records)) => records,
        Ok(Answer::NoRecords | Answer::NxDomain) => {
            // Without MX, senders fall back to the domain's own address (RFC 5321 §5.1).
            return match dns.addresses(domain).await {
                Err(e) => error(&e),
                Ok(Answer::Found(ips)) => ProbeResult::new(
                    ID,
                    Status::Warn,
                    title(ID),
                    format!("{domain} has no MX record; mail to it falls back to its web server's address, which rarely accepts mail."),
                )
                .evidence(format!("MX {domain}"), "none")
                .evidence(format!("A/AAAA {domain}"), join(ips.iter().map(ToString::to_string)))
                .fix(mx_fix(domain)),
                Ok(_) => ProbeResult::new(
                    ID,
                    Status::Fail,
                    title(ID),
                    format!("{domain} has no mail servers: replies and bounces to your emails are lost, and some receivers distrust such senders."),
                )
                .evidence(format!("MX {domain}"), "none")
                .fix(mx_fix(domain)),
            };
        }
    };
    records.sort();
    let shown = join(
        records
            .iter()
            .map(|(p, e)| format!("{p} {}", if e.is_empty() { "." } else { e })),
    );
    if records.len() == 1 && records[0].1.is_empty() {
        return ProbeResult::new(
            ID,
            Status::Warn,
            title(ID),
            format!("{domain} publishes a null MX: it says on purpose that it accepts no mail, so replies to your emails bounce."),
        )
        .evidence(format!("MX {domain}"), shown)
        .fix("If people reply to your product's emails, or you send from this domain, publish the MX records your mail provider gives you instead of the null MX.");
    }
    // Resolve up to ten exchanges, all at once.
    let exchanges: Vec<&str> = records
        .iter()
        .map(|(_, e)| e.as_str())
        .filter(|e| !e.is_empty())
        .take(10)
        .collect();
    let lookups = futures_util::future::join_all(exchanges.iter().map(|e| dns.addresses(e))).await;
    let mut dead = Vec::new();
    let mut failed = None;
    let mut result = ProbeResult::new(ID, Status::Pass, title(ID), "").evidence(format!("MX {domain}"), shown);
    for (exchange, lookup) in exchanges.iter().zip(lookups) {
        match lookup {
            Ok(Answer::Found(ips)) => {
                result = result.evidence(format!("A/AAAA {exchange}"), join(ips.iter().map(ToString::to_string)));
            }
            Ok(_) => {
                result = result.evidence(format!("A/AAAA {exchange}"), "does not resolve");
                dead.push(*exchange);
            }
            Err(e) => failed = Some(e),
        }
    }
    if dead.len() == exchanges.len() && !exchanges.is_empty() {
        result.status = Status::Fail;
        result.summary =
            format!("None of the mail servers of {domain} resolves to an address, so mail to it cannot be delivered.");
        return result.fix(mx_fix(domain));
    }
    if let Some(e) = failed {
        result.status = Status::Error;
        result.summary = format!("Could not check every mail server of {domain}: {e}.");
        return result;
    }
    if dead.is_empty() {
        result.summary = format!(
            "{domain} receives mail on {} server(s), and each resolves.",
            exchanges.len()
        );
    } else {
        result.status = Status::Warn;
        result.summary = format!("Some mail servers of {domain} do not resolve: {}.", dead.join(", "));
        result = result.fix("Remove the MX records that point at names without an address, or fix those names.");
    }
    result
}

fn mx_fix(domain: &str) -> String {
    format!(
        "Publish the MX records your mail provider gives you for {domain} (for Google Workspace, one record: `MX 1 smtp.google.com`), then run the check again."
    )
}

/// `dns.caa`: CAA records say which certificate authorities may issue for the domain. They are
/// inherited from the closest parent that has them (RFC 8659).
pub async fn check_caa<R: Resolve>(domain: &str, dns: &R) -> ProbeResult {
    const ID: &str = "dns.caa";
    let registrable = psl::domain_str(domain).unwrap_or(domain);
    let mut name = domain;
    loop {
        match dns.caa(name).await {
            Err(e) => {
                return ProbeResult::new(
                    ID,
                    Status::Error,
                    title(ID),
                    format!("Could not read the CAA records of {name}: {e}."),
                );
            }
            Ok(Answer::Found(records)) => {
                let issuers: Vec<String> = records
                    .iter()
                    .filter(|r| r.tag.eq_ignore_ascii_case("issue") || r.tag.eq_ignore_ascii_case("issuewild"))
                    .map(|r| format!("{} {}", r.tag, r.value))
                    .collect();
                let all = join(
                    records
                        .iter()
                        .map(|r| format!("{}{} \"{}\"", if r.critical { "128 " } else { "0 " }, r.tag, r.value)),
                );
                let inherited = if name == domain {
                    String::new()
                } else {
                    format!(" (inherited from {name})")
                };
                let mut result = ProbeResult::new(
                    ID,
                    Status::Pass,
                    title(ID),
                    format!("Only the listed certificate authorities may issue certificates for {domain}{inherited}."),
                )
                .evidence(format!("CAA {name}"), all);
                if issuers.is_empty() {
                    result.status = Status::Warn;
                    result.summary =
                        format!("{name} has CAA records, but none says which authority may issue certificates.");
                    result = result.fix(caa_fix(domain));
                }
                return result;
            }
            Ok(_) => {}
        }
        if name == registrable {
            break;
        }
        match name.split_once('.') {
            Some((_, parent)) if parent.contains('.') || parent == registrable => name = parent,
            _ => break,
        }
    }
    ProbeResult::new(
        ID,
        Status::Warn,
        title(ID),
        format!("{domain} has no CAA records, so any certificate authority may issue certificates for it."),
    )
    .evidence(format!("CAA {domain}"), "none")
    .fix(caa_fix(domain))
}

fn caa_fix(domain: &str) -> String {
    format!(
        "Publish a CAA record naming the authority your host or CDN uses, e.g. `{domain}. CAA 0 issue \"letsencrypt.org\"` \
         (add one line per authority, such as pki.goog for Google or digicert.com)."
    )
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
