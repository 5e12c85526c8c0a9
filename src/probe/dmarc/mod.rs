//! DMARC (RFC 7489): the `email.dmarc` check — exactly one valid record (or one inherited from
//! the organisational domain), a policy strong enough for the vertical, and report addresses
//! that will really receive reports. The record model and parser are in `parse.rs`.

use std::fmt::Write as _;

use futures_util::future::join_all;

use super::dns::{Answer, DnsError, Lookup, Resolve, normalise, organisational};
use super::{ProbeResult, Status};

mod parse;

use parse::salvage_rua;
pub(crate) use parse::split_tags;
pub use parse::{Alignment, Dmarc, Policy, ReportUri, is_dmarc_record, parse};

pub const ID: &str = "email.dmarc";
fn title() -> &'static str {
    crate::probe::registry::title(ID)
}

/// At most this many other organisations' report domains get an authorisation query; a record
/// listing more is unusual and should not turn one check into a flood of queries.
const MAX_REPORT_DOMAINS: usize = 10;

/// The DMARC records among a TXT answer, and the other TXT records found there.
fn dmarc_records(answer: Answer<Vec<String>>) -> (Vec<String>, Vec<String>) {
    answer.records().into_iter().partition(|txt| is_dmarc_record(txt))
}

fn dns_error(name: &str, error: &DnsError) -> ProbeResult {
    ProbeResult::new(
        ID,
        Status::Error,
        title(),
        format!("Could not check your DMARC record: {error}."),
    )
    .evidence(format!("TXT {name}"), error.to_string())
    .fix("Run the check again; if it keeps failing, try another DNS server with --resolver (e.g. 1.1.1.1).")
}

/// The `email.dmarc` check for `domain`.
///
/// `min_policy` is the vertical's weakest acceptable policy (`dmarc.min_policy`): `"none"`
/// accepts monitor-only while testing, `"reject"` makes quarantine a warning.
pub async fn check<R: Resolve>(domain: &str, dns: &R, min_policy: Option<&str>) -> ProbeResult {
    let domain = normalise(domain);
    let minimum = min_policy.and_then(Policy::parse);
    let own_name = format!("_dmarc.{domain}");
    let (own, own_other) = match dns.txt(&own_name).await {
        Ok(answer) => dmarc_records(answer),
        Err(error) => return dns_error(&own_name, &error),
    };
    let mut ignored: Vec<(String, String)> = own_other.into_iter().map(|t| (own_name.clone(), t)).collect();
    let mut policy_domain = domain.clone();
    let mut records = own;
    if records.is_empty() {
        let org = organisational(&domain);
        if org != domain {
            let org_name = format!("_dmarc.{org}");
            let (found, other) = match dns.txt(&org_name).await {
                Ok(answer) => dmarc_records(answer),
                Err(error) => return dns_error(&org_name, &error),
            };
            ignored.extend(other.into_iter().map(|t| (org_name.clone(), t)));
            if !found.is_empty() {
                policy_domain = org;
                records = found;
            }
        }
    }
    let record_name = format!("_dmarc.{policy_domain}");

    if records.is_empty() {
        let searched = if organisational(&domain) == domain {
            own_name.clone()
        } else {
            format!("{own_name} and _dmarc.{}", organisational(&domain))
        };
        let mut result = ProbeResult::new(
            ID,
            Status::Fail,
            title(),
            "Your domain has no DMARC record, so nothing tells receivers to refuse mail that fakes your address.",
        )
        .evidence("Searched", format!("TXT {searched}: no record starting with v=DMARC1"));
        for (name, txt) in &ignored {
            result = result.evidence(
                format!("Ignored TXT {name}"),
                format!("{txt} (does not start with v=DMARC1)"),
            );
        }
        let suggestion = suggested_record(None, &domain, minimum);
        let policy = if minimum == Some(Policy::Reject) {
            Policy::Reject
        } else {
            Policy::Quarantine
        };
        return result.fix(format!(
            "Publish one TXT record at {own_name}:\n  {suggestion}\np={} means {}. If you are not sure every service that \
             sends as {domain} is set up (SPF or DKIM for your domain), start with p=none for a week or two, read the reports \
             sent to the rua address, then tighten the policy.",
            policy.as_str(),
            policy.meaning()
        ));
    }

    if records.len() > 1 {
        let mut result = ProbeResult::new(
            ID,
            Status::Fail,
            title(),
            format!(
                "Your domain publishes {} DMARC records; receivers then ignore DMARC entirely, as if you had none.",
                records.len()
            ),
        );
        for record in &records {
            result = result.evidence(format!("TXT {record_name}"), record.clone());
        }
        // Merge what the records say: the strongest policy, and report addresses from wherever
        // they were given.
        let parsed: Vec<Dmarc> = records.iter().filter_map(|r| parse(r).ok()).collect();
        let keep = parsed.iter().max_by_key(|d| d.policy).cloned().map(|mut d| {
            if d.rua.is_empty() {
                d.rua = parsed
                    .iter()
                    .find(|o| !o.rua.is_empty())
                    .map(|o| o.rua.clone())
                    .unwrap_or_default();
            }
            d
        });
        return result.fix(format!(
            "Delete all but one of the records at {record_name}. A single record built from what was found:\n  {}",
            suggested_record(keep.as_ref(), &policy_domain, minimum)
        ));
    }

    let record = records.swap_remove(0);
    let dmarc = match parse(&record) {
        Ok(dmarc) => dmarc,
        Err(error) => {
            let pointer = format!("{}^", " ".repeat(error.position.min(200)));
            let salvaged = Dmarc {
                rua: salvage_rua(&record),
                ..Dmarc::new(Policy::None)
            };
            let suggestion = suggested_record(Some(&salvaged), &policy_domain, minimum);
            return ProbeResult::new(
                ID,
                Status::Fail,
                title(),
                format!(
                    "Your DMARC record has a mistake, so receivers ignore it: {}.",
                    error.message
                ),
            )
            .evidence(format!("TXT {record_name}"), format!("{record}\n{pointer}"))
            .evidence("Syntax error", error.to_string())
            .fix(format!(
                "Replace the record at {record_name} with a corrected one, for example:\n  {suggestion}"
            ));
        }
    };
    evaluate(&domain, &policy_domain, &record, &dmarc, minimum, dns).await
}

/// A Warn or Fail finding, in the founder's words.
struct Problem {
    status: Status,
    text: String,
}

async fn evaluate<R: Resolve>(
    domain: &str,
    policy_domain: &str,
    record: &str,
    dmarc: &Dmarc,
    minimum: Option<Policy>,
    dns: &R,
) -> ProbeResult {
    let inherited = policy_domain != domain;
    let effective = if inherited {
        dmarc.subdomain_policy.unwrap_or(dmarc.policy)
    } else {
        dmarc.policy
    };
    let mut problems: Vec<Problem> = Vec::new();
    let mut notes: Vec<String> = dmarc.notes.clone();
    let mut fixes: Vec<String> = Vec::new();
    let mut suggest = false;
    let tag = if inherited && dmarc.subdomain_policy.is_some() {
        "sp"
    } else {
        "p"
    };

    match effective {
        Policy::Reject => {}
        Policy::Quarantine => {
            if minimum == Some(Policy::Reject) {
                problems.push(Problem {
                    status: Status::Warn,
                    text: format!(
                        "Your DMARC policy sends mail that fakes your address to spam ({tag}=quarantine); this product's checklist asks for reject."
                    ),
                });
                fixes.push("Once reports show nothing legitimate fails, change quarantine to reject.".into());
            }
        }
        Policy::None => {
            if minimum == Some(Policy::None) {
                notes.push(
                    "p=none (monitor only) is accepted for this product while you test; tighten it to quarantine once the reports \
                     show all your own mail passes"
                        .into(),
                );
            } else {
                problems.push(Problem {
                    status: Status::Warn,
                    text: format!(
                        "Your DMARC policy only monitors ({tag}=none): receivers still deliver mail that fakes your address."
                    ),
                });
                suggest = true;
            }
        }
    }
    if dmarc.percent() < 100 {
        if effective == Policy::None {
            notes.push(format!(
                "pct={} has no effect while the policy is none",
                dmarc.percent()
            ));
        } else {
            problems.push(Problem {
                status: Status::Warn,
                text: format!(
                    "Your DMARC policy applies to only {}% of failing mail; the rest is delivered as if you had no policy.",
                    dmarc.percent()
                ),
            });
            suggest = true;
        }
    }
    if !inherited && dmarc.policy > Policy::None && dmarc.subdomain_policy == Some(Policy::None) {
        notes.push(format!(
            "sp=none: addresses at subdomains of {policy_domain} (anything.{policy_domain}) can still be faked"
        ));
    }
    if dmarc.rua.is_empty() {
        notes.push("no rua= address: you receive no reports, so you cannot see who sends mail as your domain".into());
    }
    if dmarc.spf_alignment() == Alignment::Strict {
        notes.push(
            "aspf=s (strict SPF alignment): mail whose bounce address is a subdomain, such as the em123.yourdomain or \
             bounces.yourdomain addresses most sending services set up, fails SPF alignment"
                .into(),
        );
    }
    if dmarc.dkim_alignment() == Alignment::Strict {
        notes.push(
            "adkim=s (strict DKIM alignment): services that sign with a subdomain of yours fail DKIM alignment".into(),
        );
    }

    // Report destinations in another organisation's domain need its consent (RFC 7489 §7.1).
    let policy_org = organisational(policy_domain);
    let mut external: Vec<String> = Vec::new();
    for uri in dmarc.rua.iter().chain(&dmarc.ruf) {
        if let Some(host) = &uri.domain
            && organisational(host) != policy_org
            && !external.contains(host)
        {
            external.push(host.clone());
        }
    }
    let skipped: Vec<String> = external.split_off(external.len().min(MAX_REPORT_DOMAINS));
    let lookups: Vec<(String, Lookup<Vec<String>>)> = join_all(external.iter().map(|host| {
        let name = format!("{policy_domain}._report._dmarc.{host}");
        async move {
            let answer = dns.txt(&name).await;
            (name, answer)
        }
    }))
    .await;
    let mut undecided: Vec<String> = Vec::new();
    let mut report_lines: Vec<(String, String)> = Vec::new();
    for (kind, uris) in [
        ("Aggregate reports (rua)", &dmarc.rua),
        ("Failure reports (ruf)", &dmarc.ruf),
    ] {
        for uri in uris {
            let Some(host) = &uri.domain else {
                report_lines.push((
                    kind.into(),
                    format!("{}: not an email address, so no reports arrive there", uri.uri),
                ));
                continue;
            };
            let address = uri.address.clone().unwrap_or_default();
            let line = if organisational(host) == policy_org {
                format!("{address}: your own domain, no authorisation needed")
            } else if let Some(index) = external.iter().position(|h| h == host) {
                match lookups.get(index) {
                    Some((name, Ok(answer))) => {
                        let found = answer.clone().records();
                        if let Some(txt) = found.iter().find(|t| is_dmarc_record(t)) {
                            format!("{address}: another organisation's domain, authorised by TXT {name} \"{txt}\"")
                        } else {
                            let text = format!(
                                "Reports to {address} will be dropped: {host} has not published the record that agrees to receive \
                                 reports for {policy_domain}."
                            );
                            if !problems.iter().any(|p| p.text == text) {
                                problems.push(Problem {
                                    status: Status::Warn,
                                    text,
                                });
                                fixes.push(format!(
                                    "Ask whoever runs {host} (your report provider) to publish TXT {name} with the value \"v=DMARC1;\", \
                                     or send the reports to an address at {policy_domain}."
                                ));
                            }
                            format!(
                                "{address}: another organisation's domain, NOT authorised (no v=DMARC1 record at {name})"
                            )
                        }
                    }
                    Some((name, Err(error))) => {
                        let why = format!("whether {host} accepts your reports: {error}");
                        if !undecided.contains(&why) {
                            undecided.push(why);
                        }
                        format!("{address}: could not check TXT {name}: {error}")
                    }
                    None => format!("{address}: not checked"),
                }
            } else if skipped.contains(host) {
                format!("{address}: not checked (more than {MAX_REPORT_DOMAINS} report domains)")
            } else {
                format!("{address}: not checked")
            };
            let size = uri
                .max_size
                .as_ref()
                .map(|s| format!(" (size limit {s})"))
                .unwrap_or_default();
            report_lines.push((kind.into(), format!("{line}{size}")));
        }
    }

    let worst = problems.iter().map(|p| p.status).max_by_key(|s| match s {
        Status::Fail => 2,
        Status::Warn => 1,
        _ => 0,
    });
    let status = match worst {
        Some(status) => status,
        None if !undecided.is_empty() => Status::Error,
        None => Status::Pass,
    };
    let from = if inherited {
        format!(" (inherited from {policy_domain})")
    } else {
        String::new()
    };
    let summary = match status {
        Status::Pass | Status::Skipped => match effective {
            Policy::Reject => {
                format!("Your domain tells receivers to refuse mail that fakes your address (DMARC reject){from}.")
            }
            Policy::Quarantine => {
                format!(
                    "Your domain tells receivers to send mail that fakes your address to spam (DMARC quarantine){from}."
                )
            }
            Policy::None => format!(
                "Your DMARC record only monitors (p=none){from}, which this product accepts while testing; tighten it to quarantine \
                 once reports show all your mail passes."
            ),
        },
        Status::Error => format!(
            "Your DMARC policy is {}, but it could not be checked {}{}.",
            effective.as_str(),
            undecided.first().map_or("", String::as_str),
            match undecided.len() {
                0 | 1 => String::new(),
                n => format!(" ({} more lookups failed)", n - 1),
            }
        ),
        Status::Warn | Status::Fail => {
            let mut ranked: Vec<&Problem> = problems.iter().collect();
            ranked.sort_by_key(|p| p.status != Status::Fail);
            let first = ranked.first().map_or(String::new(), |p| p.text.clone());
            let first = if inherited {
                format!("{first} (Inherited from {policy_domain}.)")
            } else {
                first
            };
            match problems.len() {
                0 | 1 => first,
                2 => format!("{first} One more issue below."),
                n => format!("{first} {} more issues below.", n - 1),
            }
        }
    };

    let mut result =
        ProbeResult::new(ID, status, title(), summary).evidence(format!("TXT _dmarc.{policy_domain}"), record);
    if inherited {
        result = result.evidence(
            "Inherited",
            format!(
                "no DMARC record at _dmarc.{domain}; the record of the organisational domain {policy_domain} applies{}",
                if dmarc.subdomain_policy.is_some() {
                    ", with its sp= policy for subdomains"
                } else {
                    ""
                }
            ),
        );
    }
    let subdomain = dmarc
        .subdomain_policy
        .map_or_else(|| "same as p".to_string(), |p| p.as_str().to_string());
    result = result.evidence(
        "Policy",
        format!(
            "p={} ({}); sp={}; pct={}{}",
            dmarc.policy.as_str(),
            dmarc.policy.meaning(),
            subdomain,
            dmarc.percent(),
            if inherited {
                format!("; applies to {domain} as {}", effective.as_str())
            } else {
                String::new()
            }
        ),
    );
    let default = |set: Option<Alignment>| if set.is_none() { " (default)" } else { "" };
    result = result.evidence(
        "Alignment",
        format!(
            "DKIM {}{}, SPF {}{}",
            dmarc.dkim_alignment().as_str(),
            default(dmarc.adkim),
            dmarc.spf_alignment().as_str(),
            default(dmarc.aspf)
        ),
    );
    for (label, line) in report_lines {
        result = result.evidence(label, line);
    }
    if !dmarc.failure_options.is_empty() || dmarc.interval.is_some() {
        result = result.evidence(
            "Reporting options",
            format!(
                "fo={}; ri={}",
                if dmarc.failure_options.is_empty() {
                    "0".to_string()
                } else {
                    dmarc.failure_options.join(":")
                },
                dmarc.interval.unwrap_or(86_400)
            ),
        );
    }
    for problem in &problems {
        result = result.evidence("Problem", problem.text.clone());
    }
    for note in notes {
        result = result.evidence("Note", note);
    }
    if status == Status::Warn || status == Status::Fail {
        let mut fix = fixes;
        if suggest {
            fix.insert(
                0,
                format!(
                    "Once your reports show every service sending as {domain} passes SPF or DKIM, change the record at _dmarc.{policy_domain} \
                     to:\n  {}\nQuarantine sends failing mail to spam; move to reject when nothing legitimate fails. Relaxed alignment (the \
                     default) is used on purpose: strict SPF alignment breaks mail sent through providers that use their own bounce address.",
                    suggested_record(Some(dmarc), policy_domain, minimum)
                ),
            );
        }
        if !fix.is_empty() {
            result = result.fix(fix.join("\n"));
        }
    }
    result
}

/// A record to publish, built from what was found: the same report addresses, a policy of at least
/// quarantine (reject when the vertical asks for it or the record already had it), no `pct`, and
/// relaxed alignment (the default, so `adkim`/`aspf` are left out).
fn suggested_record(found: Option<&Dmarc>, domain: &str, minimum: Option<Policy>) -> String {
    let mut policy = Policy::Quarantine;
    if minimum == Some(Policy::Reject) || found.is_some_and(|d| d.policy == Policy::Reject) {
        policy = Policy::Reject;
    }
    let mut record = format!("v=DMARC1; p={}", policy.as_str());
    if let Some(sp) = found.and_then(|d| d.subdomain_policy).filter(|sp| *sp > policy) {
        let _ = write!(record, "; sp={}", sp.as_str());
    }
    let uris = |list: &[ReportUri]| {
        list.iter()
            .map(|u| match &u.max_size {
                Some(size) => format!("{}!{size}", u.uri),
                None => u.uri.clone(),
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    match found {
        Some(d) if !d.rua.is_empty() => {
            let _ = write!(record, "; rua={}", uris(&d.rua));
        }
        _ => {
            let _ = write!(record, "; rua=mailto:dmarc-reports@{domain}");
        }
    }
    if let Some(d) = found.filter(|d| !d.ruf.is_empty()) {
        let _ = write!(record, "; ruf={}", uris(&d.ruf));
        if !d.failure_options.is_empty() {
            let _ = write!(record, "; fo={}", d.failure_options.join(":"));
        }
    }
    record
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::probe::dns::TxtZone as Zone;
    use crate::probe::evidence;

    #[tokio::test]
    async fn reject_passes() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"],
        );
        let r = check("Example.COM.", &zone, None).await;
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert_eq!(r.id, "email.dmarc");
        assert!(r.summary.contains("refuse"), "{}", r.summary);
        assert_eq!(
            evidence(&r, "TXT _dmarc.example.com"),
            ["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"]
        );
        assert!(evidence(&r, "Aggregate reports (rua)")[0].contains("your own domain"));
        assert!(r.fix.is_none());
    }

    #[tokio::test]
    async fn p_none_warns_with_a_suggested_record() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=none; rua=mailto:dmarc@example.com; aspf=s"],
        );
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("only monitors"), "{}", r.summary);
        assert!(evidence(&r, "Alignment")[0].contains("SPF strict"));
        let fix = r.fix.unwrap();
        assert!(
            fix.contains("v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"),
            "{fix}"
        );
        assert!(!fix.contains("aspf"), "the suggestion uses relaxed alignment: {fix}");
    }

    #[tokio::test]
    async fn min_policy_none_accepts_monitor_only_and_reject_demands_more() {
        let zone = Zone::default().with("_dmarc.example.com", &["v=DMARC1; p=none"]);
        let r = check("example.com", &zone, Some("none")).await;
        assert_eq!(r.status, Status::Pass);
        assert!(r.summary.contains("tighten"), "{}", r.summary);

        let zone = Zone::default().with("_dmarc.example.com", &["v=DMARC1; p=quarantine"]);
        assert_eq!(check("example.com", &zone, None).await.status, Status::Pass);
        assert_eq!(
            check("example.com", &zone, Some("quarantine")).await.status,
            Status::Pass
        );
        let r = check("example.com", &zone, Some("reject")).await;
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("asks for reject"), "{}", r.summary);
    }

    #[tokio::test]
    async fn partial_pct_warns() {
        let zone = Zone::default().with("_dmarc.example.com", &["v=DMARC1; p=reject; pct=20"]);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("20%"), "{}", r.summary);
        assert!(r.fix.unwrap().contains("p=reject;"), "an existing reject is kept");
    }

    #[tokio::test]
    async fn missing_record_fails() {
        let zone = Zone::default().with("_dmarc.example.com", &["google-site-verification=abc"]);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("no DMARC record"), "{}", r.summary);
        assert_eq!(evidence(&r, "Ignored TXT _dmarc.example.com").len(), 1);
        assert!(
            r.fix
                .unwrap()
                .contains("v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com")
        );
    }

    #[tokio::test]
    async fn two_records_fail() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=none; rua=mailto:d@example.com", "v=DMARC1; p=reject"],
        );
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("2 DMARC records"), "{}", r.summary);
        assert_eq!(evidence(&r, "TXT _dmarc.example.com").len(), 2);
        let fix = r.fix.unwrap();
        assert!(
            fix.contains("v=DMARC1; p=reject; rua=mailto:d@example.com"),
            "merged: {fix}"
        );
    }

    #[tokio::test]
    async fn a_bare_report_address_gets_its_mailto_in_the_fix() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=quarantine; rua=dmarc@example.com, junk"],
        );
        let r = check("example.com", &zone, Some("reject")).await;
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.summary.contains("write it as mailto:dmarc@example.com"),
            "{}",
            r.summary
        );
        let fix = r.fix.unwrap();
        assert!(
            fix.ends_with("\n  v=DMARC1; p=reject; rua=mailto:dmarc@example.com"),
            "{fix}"
        );
    }

    #[tokio::test]
    async fn malformed_record_fails_with_the_position() {
        let zone = Zone::default().with("_dmarc.example.com", &["v=DMARC1; p=rejct; rua=mailto:d@example.com"]);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("rejct"), "{}", r.summary);
        assert!(evidence(&r, "Syntax error")[0].contains("at character 13"));
        let record = evidence(&r, "TXT _dmarc.example.com")[0];
        assert!(record.ends_with("\n            ^"), "{record:?}");
        assert!(
            r.fix.unwrap().contains("rua=mailto:d@example.com"),
            "the report address is kept"
        );
    }

    #[tokio::test]
    async fn subdomain_inherits_from_the_organisational_domain() {
        let zone = Zone::default().with("_dmarc.example.co.uk", &["v=DMARC1; p=reject; sp=none"]);
        let r = check("mail.example.co.uk", &zone, None).await;
        assert_eq!(r.status, Status::Warn, "sp=none applies to the subdomain: {r:?}");
        assert!(r.summary.contains("sp=none"), "{}", r.summary);
        assert!(r.summary.contains("Inherited from example.co.uk"), "{}", r.summary);
        assert!(evidence(&r, "Inherited")[0].contains("_dmarc.mail.example.co.uk"));

        let zone = Zone::default().with("_dmarc.example.co.uk", &["v=DMARC1; p=reject"]);
        let r = check("mail.example.co.uk", &zone, None).await;
        assert_eq!(r.status, Status::Pass);
        assert!(r.summary.contains("inherited from example.co.uk"), "{}", r.summary);
    }

    #[tokio::test]
    async fn missing_everywhere_names_both_places() {
        let r = check("mail.example.com", &Zone::default(), None).await;
        assert_eq!(r.status, Status::Fail);
        assert!(evidence(&r, "Searched")[0].contains("_dmarc.mail.example.com and _dmarc.example.com"));
    }

    #[tokio::test]
    async fn external_report_address_needs_authorisation() {
        let record =
            "v=DMARC1; p=reject; rua=mailto:agg@reports.vendor.net,mailto:me@example.com; ruf=mailto:f@other.org";
        let zone = Zone::default()
            .with("_dmarc.example.com", &[record])
            .with("example.com._report._dmarc.reports.vendor.net", &["v=DMARC1"]);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Warn, "{r:?}");
        assert!(
            r.summary.contains("Reports to f@other.org will be dropped"),
            "{}",
            r.summary
        );
        let rua = evidence(&r, "Aggregate reports (rua)");
        assert!(
            rua[0].contains("authorised by TXT example.com._report._dmarc.reports.vendor.net"),
            "{rua:?}"
        );
        assert!(rua[1].contains("your own domain"));
        assert!(r.fix.unwrap().contains("example.com._report._dmarc.other.org"));

        let zone = zone.with("example.com._report._dmarc.other.org", &["v=DMARC1;"]);
        assert_eq!(check("example.com", &zone, None).await.status, Status::Pass);
    }

    #[tokio::test]
    async fn same_organisation_report_address_needs_no_authorisation() {
        let zone = Zone::default().with(
            "_dmarc.example.com",
            &["v=DMARC1; p=reject; rua=mailto:d@reports.example.com"],
        );
        assert_eq!(check("example.com", &zone, None).await.status, Status::Pass);
    }

    #[tokio::test]
    async fn dns_failures_are_errors_not_verdicts() {
        let zone = Zone::default().failing("_dmarc.example.com", DnsError::Timeout);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("did not answer in time"), "{}", r.summary);

        let zone = Zone::default().failing("_dmarc.example.com", DnsError::ServFail);
        assert_eq!(check("example.com", &zone, None).await.status, Status::Error);

        let zone = Zone::default().failing("_dmarc.example.com", DnsError::Refused);
        assert_eq!(
            check("sub.example.com", &zone, None).await.status,
            Status::Error,
            "fallback lookup failed"
        );

        // An authorisation lookup that fails leaves a passing policy undecided...
        let zone = Zone::default()
            .with("_dmarc.example.com", &["v=DMARC1; p=reject; rua=mailto:a@vendor.net"])
            .failing("example.com._report._dmarc.vendor.net", DnsError::Timeout);
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Error);
        assert!(evidence(&r, "Aggregate reports (rua)")[0].contains("could not check"));
        assert_eq!(
            r.summary,
            "Your DMARC policy is reject, but it could not be checked whether vendor.net accepts your reports: \
             the DNS server did not answer in time."
        );
        // ...but cannot hide a warning that stands anyway.
        let zone = Zone::default()
            .with("_dmarc.example.com", &["v=DMARC1; p=none; rua=mailto:a@vendor.net"])
            .failing("example.com._report._dmarc.vendor.net", DnsError::Timeout);
        assert_eq!(check("example.com", &zone, None).await.status, Status::Warn);
    }

    #[tokio::test]
    async fn authorisation_queries_run_together() {
        let record = "v=DMARC1; p=reject; rua=mailto:a@one.net,mailto:b@two.net,mailto:c@three.net,mailto:d@four.net";
        let mut zone = Zone::default().with("_dmarc.example.com", &[record]);
        for host in ["one.net", "two.net", "three.net", "four.net"] {
            zone = zone.with(&format!("example.com._report._dmarc.{host}"), &["v=DMARC1"]);
        }
        zone.delay = Some(Duration::from_millis(150));
        let started = std::time::Instant::now();
        let r = check("example.com", &zone, None).await;
        assert_eq!(r.status, Status::Pass, "{r:?}");
        // One lookup for the record, then four in parallel: about 300 ms, not 750.
        assert!(
            started.elapsed() < Duration::from_millis(600),
            "{:?}",
            started.elapsed()
        );
    }
}
