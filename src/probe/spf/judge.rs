//! What the `email.spf` check concludes from a followed lookup tree: each problem as a finding
//! in the founder's words with its fix, the worst of them as the verdict, and the evidence
//! (the record, the tree, the counts).

use std::collections::HashSet;

use super::parse::{MECHANISMS, Mechanism, ModifierKind, Qualifier, Record, tokens};
use super::{
    Absent, Ending, ID, Item, Kind, LOOKUP_LIMIT, MX_LIMIT, Node, Outcome, Query, State, VOID_LIMIT, branch_lookups,
    child_of, ending, is_void, plural, render_tree, title, tree_order,
};
use crate::probe::dns::DnsError;
use crate::probe::{ProbeResult, Status};

struct Finding {
    status: Status,
    summary: String,
    fix: Option<String>,
}

impl Finding {
    fn new(status: Status, summary: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            status,
            summary: summary.into(),
            fix: Some(fix.into()),
        }
    }
}

pub(super) fn no_record(domain: &str, label: &str, absent: Absent) -> ProbeResult {
    let found = match absent {
        Absent::OtherTxt(k) => format!(
            "no SPF record (the domain has {} of another kind)",
            plural(k, "TXT record")
        ),
        _ => "no TXT records at all".to_string(),
    };
    ProbeResult::new(
        ID,
        Status::Fail,
        title(),
        "Your domain has no SPF record, so receiving servers cannot tell which servers may send email as you.",
    )
    .evidence(label, found)
    .fix(format!(
        "Publish one TXT record at {domain}: `v=spf1 include:<your mail provider's SPF domain> ~all`. Replace the \
         placeholder with the include your email provider documents (for example include:_spf.google.com for \
         Google Workspace, or include:spf.protection.outlook.com for Microsoft 365), and add one include for each \
         other service that sends email as you. If this domain never sends email, publish `v=spf1 -all` instead."
    ))
}

/// One record combining the terms of several: every distinct mechanism once, `redirect` turned
/// into `include`, `exp` dropped, ending in `-all` if any of them did and `~all` otherwise.
pub(super) fn merge(records: &[String]) -> String {
    let mut seen = HashSet::new();
    let mut terms: Vec<String> = Vec::new();
    let mut strict = false;
    for record in records {
        for token in record.split(' ').skip(1).filter(|t| !t.is_empty()) {
            let lower = token.to_ascii_lowercase();
            let term = if lower.trim_start_matches(['+', '-', '~', '?']) == "all" {
                strict |= lower.starts_with('-');
                continue;
            } else if let Some(target) = lower.strip_prefix("redirect=") {
                format!("include:{}", token.get(token.len() - target.len()..).unwrap_or(target))
            } else if lower.starts_with("exp=") {
                continue;
            } else {
                token.to_string()
            };
            if terms.len() < 200 && seen.insert(term.to_ascii_lowercase()) {
                terms.push(term);
            }
        }
    }
    terms.insert(0, "v=spf1".to_string());
    terms.push(if strict { "-all" } else { "~all" }.to_string());
    terms.join(" ")
}

/// The record's tokens with the one at `position` replaced (or removed when `new` is empty), and
/// `append` added at the end; spacing is normalised.
fn rewrite(text: &str, position: Option<usize>, new: &str, append: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (p, token) in tokens(text, 0) {
        if Some(p) == position {
            if !new.is_empty() {
                out.push(new);
            }
        } else {
            out.push(token);
        }
    }
    if !append.is_empty() {
        out.push(append);
    }
    out.join(" ")
}

pub(super) fn judge(domain: &str, label: &str, nodes: &[Node]) -> ProbeResult {
    let State::Spf {
        text: root_text,
        record: root,
    } = &nodes[0].state
    else {
        return ProbeResult::new(ID, Status::Error, title(), "internal: the root has no record");
    };
    let order = tree_order(nodes);
    let lookups = branch_lookups(nodes, 0);
    let voids: Vec<(usize, &Item)> = order
        .iter()
        .flat_map(|&n| nodes[n].items.iter().map(move |i| (n, i)))
        .filter(|(_, i)| is_void(nodes, i))
        .collect();
    let incomplete = order.iter().any(|&n| {
        nodes[n].items.iter().any(|i| match &i.outcome {
            Outcome::Skipped(_) | Outcome::Failed(..) | Outcome::Pending(_) => true,
            Outcome::Macro => matches!(i.kind, Kind::Include | Kind::Redirect),
            Outcome::Child(c) => matches!(nodes[*c].state, State::Failed(_)),
            _ => false,
        })
    });
    let mut findings = Vec::new();
    let ending = ending(nodes, 0, 0);
    ending_findings(domain, nodes, &ending, &mut findings);
    root_findings(domain, root_text, root, &mut findings);
    tree_findings(nodes, &order, &mut findings);

    if lookups > LOOKUP_LIMIT {
        findings.push(too_many_lookups(nodes, lookups, incomplete));
    }
    if voids.len() > VOID_LIMIT {
        let list: Vec<String> = voids
            .iter()
            .map(|(n, i)| {
                let why = if matches!(i.outcome, Outcome::Void(false)) {
                    "has no records"
                } else {
                    "does not exist"
                };
                format!(
                    "`{}` in the record of {} ({} {why})",
                    i.text, nodes[*n].domain, i.target
                )
            })
            .collect();
        findings.push(Finding::new(
            Status::Fail,
            format!(
                "Your SPF record points at {} names that do not exist or have no records; receiving servers allow 2 \
                 and then treat it as an error.",
                voids.len()
            ),
            format!("Remove or correct these terms: {}.", list.join("; ")),
        ));
    }

    let worst = [Status::Fail, Status::Error, Status::Warn]
        .into_iter()
        .find(|s| findings.iter().any(|f| f.status == *s))
        .unwrap_or(Status::Pass);
    let summary = if let Some(first) = findings.iter().position(|f| f.status == worst) {
        let others = findings.len() - 1;
        let main = findings[first].summary.clone();
        if others == 0 {
            main
        } else {
            let what = if others == 1 { "problem" } else { "problems" };
            format!(
                "{} (and {others} more {what}, listed below).",
                main.trim_end_matches('.')
            )
        }
    } else {
        let end = match ending {
            Ending::All(q, None) => format!("{}all", q.symbol()),
            Ending::All(q, Some(holder)) => {
                format!("{}all (through redirect to {})", q.symbol(), nodes[holder].domain)
            }
            _ => "a strict rule".to_string(),
        };
        format!("Your SPF record is valid: it ends in {end} and needs {lookups} of the 10 DNS lookups receivers allow.")
    };

    let mut result = ProbeResult::new(ID, worst, title(), summary)
        .evidence(label, root_text.clone())
        .evidence("lookup tree", render_tree(nodes))
        .evidence(
            "DNS lookups",
            if incomplete {
                format!("{lookups} of 10 (at least: some branches could not be followed)")
            } else {
                format!("{lookups} of 10")
            },
        )
        .evidence("void lookups", format!("{} of 2", voids.len()));
    let included: Vec<String> = order
        .iter()
        .skip(1)
        .filter_map(|&n| match &nodes[n].state {
            State::Spf { text, .. } | State::Broken { text, .. } => Some(format!("{}: {text}", nodes[n].domain)),
            State::Multiple(v) => Some(format!("{}: {}", nodes[n].domain, v.join(" | "))),
            _ => None,
        })
        .take(30)
        .collect();
    if !included.is_empty() {
        result = result.evidence("included records", included.join("\n"));
    }
    if findings.len() > 1 {
        let list: Vec<String> = findings
            .iter()
            .map(|f| format!("{}: {}", f.status.label(), f.summary))
            .collect();
        result = result.evidence("problems", list.join("\n"));
    }
    let mut fixes: Vec<String> = Vec::new();
    for status in [Status::Fail, Status::Warn, Status::Error] {
        for f in findings.iter().filter(|f| f.status == status) {
            if let Some(fix) = &f.fix
                && !fixes.contains(fix)
            {
                fixes.push(fix.clone());
            }
        }
    }
    if !fixes.is_empty() {
        result = result.fix(fixes.join("\n\n"));
    }
    result
}

fn ending_findings(domain: &str, nodes: &[Node], ending: &Ending, findings: &mut Vec<Finding>) {
    let State::Spf { text, record } = &nodes[0].state else {
        return;
    };
    let all_position = record
        .terms
        .iter()
        .find(|t| t.mechanism == Mechanism::All)
        .map(|t| t.position);
    match ending {
        Ending::All(Qualifier::Pass, holder) => {
            let (summary, fix) = match holder {
                None => (
                    "Your SPF record ends in +all, which lets any server in the world send email as you.".to_string(),
                    format!(
                        "Replace +all with ~all (or -all once every service that sends your mail is listed) in the \
                         record at {domain}: `{}`.",
                        rewrite(text, all_position, "~all", "")
                    ),
                ),
                Some(h) => {
                    let node = &nodes[*h];
                    let fixed = with_soft_all(&node.state);
                    (
                        format!(
                            "Your SPF record redirects to {}, whose record ends in +all, which lets any server in the \
                             world send email as you.",
                            node.domain
                        ),
                        format!(
                            "Replace +all with ~all in the record at {}: `{fixed}`. If that domain is not yours, \
                             remove the redirect and list your own senders.",
                            node.domain
                        ),
                    )
                }
            };
            findings.push(Finding::new(Status::Fail, summary, fix));
        }
        Ending::All(Qualifier::Neutral, holder) => {
            let place = holder.map_or_else(|| domain.to_string(), |h| nodes[h].domain.clone());
            let fixed = with_soft_all(holder.map_or(&nodes[0].state, |h| &nodes[h].state));
            findings.push(Finding::new(
                Status::Warn,
                "Your SPF record ends in ?all, which tells receivers nothing about mail from other servers, so forged \
                 mail is not marked.",
                format!("Change ?all to ~all in the record at {place}: `{fixed}`."),
            ));
        }
        Ending::Missing => findings.push(Finding::new(
            Status::Warn,
            "Your SPF record has no closing all rule, so receivers are not told what to do with mail from other \
             servers.",
            format!(
                "Add ~all at the end of the record at {domain} (or -all once every service that sends your mail is \
                 listed): `{}`.",
                rewrite(text, None, "", "~all")
            ),
        )),
        Ending::Macro(redirect) => findings.push(Finding::new(
            Status::Warn,
            format!(
                "The end of your SPF record comes from `{redirect}`, which depends on each message, so this check \
                 cannot confirm it is strict."
            ),
            format!("Prefer a redirect to a fixed name, or end the record at {domain} with ~all or -all yourself."),
        )),
        Ending::All(..) | Ending::Unknown => {}
    }
}

/// Problems only the domain's owner can fix in their own record.
fn root_findings(domain: &str, text: &str, record: &Record, findings: &mut Vec<Finding>) {
    for term in &record.terms {
        let open = matches!(
            term.mechanism,
            Mechanism::Ip4 { prefix: Some(0), .. } | Mechanism::Ip6 { prefix: Some(0), .. }
        );
        if open && term.qualifier == Qualifier::Pass {
            findings.push(Finding::new(
                Status::Fail,
                format!(
                    "Your SPF record contains {}, which allows every address on the internet to send email as you.",
                    term.text
                ),
                format!(
                    "Remove {} and list only the servers that really send your mail: `{}`.",
                    term.text,
                    rewrite(text, Some(term.position), "", "")
                ),
            ));
        }
    }
    if let Some(all) = record.terms.iter().find(|t| t.mechanism == Mechanism::All) {
        let late: Vec<&str> = record
            .terms
            .iter()
            .filter(|t| t.position > all.position && t.mechanism != Mechanism::All)
            .map(|t| t.text.as_str())
            .collect();
        if !late.is_empty() {
            findings.push(Finding::new(
                Status::Warn,
                format!(
                    "In your SPF record, {} come after {}, so receivers never read them and mail from those servers \
                     fails SPF.",
                    late.join(" "),
                    all.text
                ),
                format!(
                    "Move {} to the end of the record at {domain}: `{}`.",
                    all.text,
                    rewrite(text, Some(all.position), "", &all.text)
                ),
            ));
        }
    }
    for m in &record.modifiers {
        let lname = m.name.to_ascii_lowercase();
        if m.kind == ModifierKind::Unknown && MECHANISMS.contains(&lname.as_str()) {
            findings.push(Finding::new(
                Status::Warn,
                format!(
                    "Your SPF record contains {}, which receivers ignore because it is written with = instead of :.",
                    m.text
                ),
                format!(
                    "Write {lname}:{} instead of {} in the record at {domain}.",
                    m.value, m.text
                ),
            ));
        }
    }
}

fn tree_findings(nodes: &[Node], order: &[usize], findings: &mut Vec<Finding>) {
    let mut ptrs: Vec<String> = Vec::new();
    for &n in order {
        let node = &nodes[n];
        let whose = if n == 0 {
            "Your SPF record".to_string()
        } else {
            format!("The SPF record of {}", node.domain)
        };
        for item in &node.items {
            let verb = if item.kind == Kind::Redirect {
                "redirects to"
            } else {
                "includes"
            };
            match &item.outcome {
                Outcome::Loop(chain) => findings.push(Finding::new(
                    Status::Fail,
                    format!(
                        "The includes of your SPF record form a loop ({}), so receiving servers treat it as an error.",
                        chain.join(" → ")
                    ),
                    format!(
                        "Remove {} from the SPF record of {}: it leads back to {}.",
                        item.text, node.domain, item.target
                    ),
                )),
                Outcome::Child(c) => {
                    let target = &nodes[*c].domain;
                    let problem = match &nodes[*c].state {
                        State::NoSpf(Absent::NxDomain) => Some("which does not exist".to_string()),
                        State::NoSpf(_) => Some("which has no SPF record".to_string()),
                        State::Multiple(v) => Some(format!("which publishes {} SPF records", v.len())),
                        State::Broken { error, .. } => {
                            Some(format!("whose SPF record has a mistake ({})", error.message))
                        }
                        State::Failed(e) => {
                            findings.push(lookup_failed(&Query::Txt(target.clone()), e));
                            None
                        }
                        State::Spf { .. } => {
                            if item.kind == Kind::Include
                                && item.qualifier == Qualifier::Pass
                                && matches!(ending(nodes, *c, 0), Ending::All(Qualifier::Pass, _))
                            {
                                findings.push(Finding::new(
                                    Status::Fail,
                                    format!(
                                        "{whose} includes {target}, whose record ends in +all, so every server in the \
                                         world passes your SPF check."
                                    ),
                                    format!(
                                        "Remove {} from the SPF record of {}, or ask the owner of {target} to replace \
                                         +all with ~all.",
                                        item.text, node.domain
                                    ),
                                ));
                            }
                            None
                        }
                    };
                    if let Some(problem) = problem {
                        findings.push(Finding::new(
                            Status::Fail,
                            format!(
                                "{whose} {verb} {target}, {problem}; receiving servers treat that as an error and may \
                                 reject your mail."
                            ),
                            format!(
                                "Remove {} from the SPF record of {}, or correct it to the name your provider \
                                 documents; if {target} is yours, give it exactly one valid SPF record.",
                                item.text, node.domain
                            ),
                        ));
                    }
                }
                Outcome::Failed(query, e) => findings.push(lookup_failed(query, e)),
                Outcome::Ptr => ptrs.push(format!("{} in the record of {}", item.text, node.domain)),
                Outcome::Records(k) if item.kind == Kind::Mx && *k > MX_LIMIT => findings.push(Finding::new(
                    Status::Fail,
                    format!(
                        "{whose} uses {}, which finds {k} mail servers; receivers allow at most 10 and then treat it \
                         as an error.",
                        item.text
                    ),
                    format!(
                        "Replace {} in the SPF record of {} with the ip4:/ip6: ranges of the servers that send mail.",
                        item.text, node.domain
                    ),
                )),
                _ => {}
            }
        }
    }
    if !ptrs.is_empty() {
        findings.push(Finding::new(
            Status::Warn,
            "Your SPF record uses ptr, which is deprecated and slow; many receivers skip it, so mail it should allow \
             may fail SPF.",
            format!(
                "Replace {} with the ip4:/ip6: ranges (or a and mx terms) of the servers that send your mail; if the \
                 ptr is in a provider's record, ask the provider.",
                ptrs.join(", ")
            ),
        ));
    }
}

fn lookup_failed(query: &Query, e: &DnsError) -> Finding {
    Finding {
        status: Status::Error,
        summary: format!(
            "Could not finish checking your SPF record: {e} (looking up {}).",
            query.describe()
        ),
        fix: Some(
            "Run the check again; if it keeps failing, the DNS server of that name is broken or unreachable."
                .to_string(),
        ),
    }
}

fn too_many_lookups(nodes: &[Node], lookups: usize, incomplete: bool) -> Finding {
    let mut weights: Vec<(usize, &Item)> = nodes[0]
        .items
        .iter()
        .filter(|i| i.counted())
        .map(|i| (1 + child_of(i).map_or(0, |c| branch_lookups(nodes, c)), i))
        .collect();
    weights.sort_by_key(|w| std::cmp::Reverse(w.0));
    let heaviest: Vec<String> = weights
        .iter()
        .filter(|(_, i)| matches!(i.kind, Kind::Include | Kind::Redirect))
        .take(3)
        .map(|(w, i)| format!("{} ({})", i.text, plural(*w, "lookup")))
        .collect();
    let direct: Vec<&str> = nodes[0]
        .items
        .iter()
        .filter(|i| i.counted() && matches!(i.kind, Kind::A | Kind::Mx | Kind::Ptr | Kind::Exists))
        .map(|i| i.text.as_str())
        .collect();
    let at_least = if incomplete { "at least " } else { "" };
    let mut fix = vec![format!(
        "Receivers allow 10 DNS lookups for SPF and this record needs {at_least}{lookups}. Remove the includes of \
         services you no longer send mail with, and replace the heaviest includes with the ip4:/ip6: ranges they \
         list (\"flattening\"; you must then update those ranges when the provider changes them)."
    )];
    if !heaviest.is_empty() {
        fix.push(format!("The heaviest: {}.", heaviest.join(", ")));
    }
    if !direct.is_empty() {
        fix.push(format!(
            "Each of {} also costs one lookup; the addresses they stand for can be written as ip4:/ip6: instead.",
            direct.join(", ")
        ));
    }
    Finding::new(
        Status::Fail,
        format!(
            "Your SPF record needs {at_least}{lookups} DNS lookups; receiving servers stop at 10 and then treat it as \
             an error."
        ),
        fix.join(" "),
    )
}

/// The record of `state` with its `all` term rewritten to `~all` (empty when it holds no record).
fn with_soft_all(state: &State) -> String {
    match state {
        State::Spf { text, record } => {
            let p = record
                .terms
                .iter()
                .find(|t| t.mechanism == Mechanism::All)
                .map(|t| t.position);
            rewrite(text, p, "~all", "")
        }
        _ => String::new(),
    }
}
