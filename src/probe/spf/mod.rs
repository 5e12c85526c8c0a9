//! SPF (RFC 7208) as a linter: [`parse`] reads a record into its terms and modifiers and reports
//! the first syntax error with its position; [`check`] fetches a domain's record, follows
//! `include` and `redirect`, counts DNS lookups and void lookups across the whole tree and judges
//! the ending, producing the `email.spf` check.
//!
//! This file follows the tree; the record model and parser are in `parse.rs`, the findings and
//! their wording in `judge.rs`.
//!
//! Decisions worth knowing:
//! - Counting is a linter's worst case: every DNS-querying term of every record reached counts,
//!   as the popular checkers do, except terms a receiver can never reach (mechanisms after `all`,
//!   and `redirect` in a record that has `all`, which RFC 7208 §6.1 says to ignore); those are
//!   shown in the tree as ignored.
//! - Domain-specs with macros depend on each message: counted, not followed, said in the tree.
//! - `a`, `mx` and `exists` targets are looked up so void lookups can be counted; `ptr` is not
//!   (it depends on the sender's address). The MX hosts' own addresses are not looked up.
//! - A lookup that fails (timeout, SERVFAIL, …) makes the result `error`, unless a `fail` is
//!   already certain from real answers (every `fail` this check reports rests on answers that
//!   were received, and a failed lookup can only add lookups, never remove them).
//! - A domain that does not exist at all is an `error` ("does not exist"), like every email check
//!   of such a domain, not an SPF verdict.
//! - Work is bounded: 10 levels of includes, 40 queries, 64 records, 200 tree lines. The
//!   includes of one level are looked up concurrently.

use std::collections::HashMap;

use futures_util::future::join_all;

use super::dns::{Answer, DnsError, Lookup, Resolve, normalise};
use super::{ProbeResult, Status, SyntaxError};

mod judge;
mod parse;

use judge::{judge, merge, no_record};
pub use parse::{Mechanism, Modifier, ModifierKind, Qualifier, Record, Term, parse};
use parse::{clip, is_spf};

const ID: &str = "email.spf";
pub(super) fn title() -> &'static str {
    crate::probe::registry::title(ID)
}

/// DNS-querying terms a receiver evaluates before giving up (RFC 7208 §4.6.4).
pub const LOOKUP_LIMIT: usize = 10;
/// Lookups that may find nothing (NXDOMAIN or no records) before a receiver gives up.
pub const VOID_LIMIT: usize = 2;
/// Names an `mx` term may return before a receiver gives up.
const MX_LIMIT: usize = 10;
const MAX_DEPTH: usize = 10;
const MAX_QUERIES: usize = 40;
const MAX_RECORDS: usize = 64;
const MAX_TREE_LINES: usize = 200;

// ---- the lookup tree ----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Query {
    Txt(String),
    Addresses(String),
    Mx(String),
}

impl Query {
    fn describe(&self) -> String {
        match self {
            Query::Txt(name) => format!("the TXT records of {name}"),
            Query::Addresses(name) => format!("the addresses of {name}"),
            Query::Mx(name) => format!("the MX records of {name}"),
        }
    }
}

#[derive(Debug, Clone)]
enum Reply {
    Txt(Lookup<Vec<String>>),
    /// `a`, `mx`, `exists`: only how many records came back matters here.
    Count(Lookup<usize>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Include,
    Redirect,
    A,
    Mx,
    Ptr,
    Exists,
}

/// Why a name has no SPF record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Absent {
    NxDomain,
    NoRecords,
    /// TXT records, none of them SPF.
    OtherTxt(usize),
}

#[derive(Debug, Clone)]
enum Outcome {
    Pending(Query),
    /// An include or redirect followed to the record at this node.
    Child(usize),
    /// An `a`, `mx` or `exists` lookup that found this many records.
    Records(usize),
    /// NXDOMAIN (`true`) or no records (`false`).
    Void(bool),
    Failed(Query, DnsError),
    Macro,
    Ptr,
    Loop(Vec<String>),
    Skipped(&'static str),
    /// Never evaluated by a receiver, so not counted.
    Ignored(&'static str),
}

/// One DNS-querying term of a record.
#[derive(Debug, Clone)]
struct Item {
    text: String,
    kind: Kind,
    qualifier: Qualifier,
    /// The name looked up, normalised (for `a`/`mx` without a domain: the record's own).
    target: String,
    /// Whether the term names its target (else it is the record's own domain).
    explicit: bool,
    outcome: Outcome,
}

impl Item {
    fn counted(&self) -> bool {
        !matches!(self.outcome, Outcome::Ignored(_))
    }
}

#[derive(Debug, Clone)]
enum State {
    Spf { text: String, record: Record },
    NoSpf(Absent),
    Multiple(Vec<String>),
    Broken { text: String, error: SyntaxError },
    Failed(DnsError),
}

impl State {
    fn from_txt(answer: Lookup<Vec<String>>) -> State {
        let txts = match answer {
            Err(e) => return State::Failed(e),
            Ok(Answer::NxDomain) => return State::NoSpf(Absent::NxDomain),
            Ok(Answer::NoRecords) => return State::NoSpf(Absent::NoRecords),
            Ok(Answer::Found(txts)) if txts.is_empty() => return State::NoSpf(Absent::NoRecords),
            Ok(Answer::Found(txts)) => txts,
        };
        let mut spf: Vec<String> = txts.iter().filter(|t| is_spf(t)).cloned().collect();
        match spf.len() {
            0 => State::NoSpf(Absent::OtherTxt(txts.len())),
            1 => {
                let text = spf.remove(0);
                match parse(&text) {
                    Ok(record) => State::Spf { text, record },
                    Err(error) => State::Broken { text, error },
                }
            }
            _ => State::Multiple(spf),
        }
    }
}

#[derive(Debug, Clone)]
struct Node {
    domain: String,
    depth: usize,
    /// The domains from the root down to this one.
    chain: Vec<String>,
    state: State,
    items: Vec<Item>,
}

impl Node {
    fn new(domain: String, depth: usize, chain: Vec<String>, state: State) -> Node {
        let mut node = Node {
            domain,
            depth,
            chain,
            state,
            items: Vec::new(),
        };
        node.items = node.plan();
        node
    }

    /// The DNS-querying terms of this node's record, with what to look up for each.
    fn plan(&self) -> Vec<Item> {
        let State::Spf { record, .. } = &self.state else {
            return Vec::new();
        };
        let mut items = Vec::new();
        let mut after_all = false;
        for term in &record.terms {
            let kind = match &term.mechanism {
                Mechanism::All => {
                    after_all = true;
                    continue;
                }
                Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => continue,
                Mechanism::Include { .. } => Kind::Include,
                Mechanism::A { .. } => Kind::A,
                Mechanism::Mx { .. } => Kind::Mx,
                Mechanism::Ptr { .. } => Kind::Ptr,
                Mechanism::Exists { .. } => Kind::Exists,
            };
            let spec = term.mechanism.domain_spec();
            let outcome = if after_all {
                Some(Outcome::Ignored("it comes after all"))
            } else {
                None
            };
            items.push(self.item(&term.text, kind, term.qualifier, spec, outcome));
        }
        if let Some(redirect) = record.redirect() {
            let outcome = record
                .all()
                .map(|_| Outcome::Ignored("the record has all, so redirect is not used"));
            items.push(self.item(
                &redirect.text,
                Kind::Redirect,
                Qualifier::Pass,
                Some(&redirect.value),
                outcome,
            ));
        }
        items
    }

    fn item(&self, text: &str, kind: Kind, qualifier: Qualifier, spec: Option<&str>, outcome: Option<Outcome>) -> Item {
        let target = spec.map_or_else(|| self.domain.clone(), normalise);
        let outcome = outcome.unwrap_or_else(|| {
            if kind == Kind::Ptr {
                Outcome::Ptr
            } else if target.contains('%') {
                Outcome::Macro
            } else {
                match kind {
                    Kind::Include | Kind::Redirect if self.chain.contains(&target) => {
                        let mut chain = self.chain.clone();
                        chain.push(target.clone());
                        Outcome::Loop(chain)
                    }
                    Kind::Include | Kind::Redirect if self.depth >= MAX_DEPTH => {
                        Outcome::Skipped("more than 10 levels of includes")
                    }
                    Kind::Include | Kind::Redirect => Outcome::Pending(Query::Txt(target.clone())),
                    Kind::Mx => Outcome::Pending(Query::Mx(target.clone())),
                    _ => Outcome::Pending(Query::Addresses(target.clone())),
                }
            }
        });
        Item {
            text: text.to_string(),
            kind,
            qualifier,
            target,
            explicit: spec.is_some(),
            outcome,
        }
    }
}

/// Follows the tree level by level; the lookups of one level run concurrently.
async fn walk<R: Resolve>(dns: &R, root: Node) -> Vec<Node> {
    let mut nodes = vec![root];
    let mut cache: HashMap<Query, Reply> = HashMap::new();
    // The root's own TXT query was the first.
    let mut queries = 1;
    let mut level = vec![0];
    while !level.is_empty() {
        let budget_left = MAX_QUERIES.saturating_sub(queries);
        let mut wanted: Vec<Query> = Vec::new();
        for &n in &level {
            for item in &nodes[n].items {
                if let Outcome::Pending(q) = &item.outcome
                    && wanted.len() < budget_left
                    && !cache.contains_key(q)
                    && !wanted.contains(q)
                {
                    wanted.push(q.clone());
                }
            }
        }
        queries += wanted.len();
        let replies = join_all(wanted.into_iter().map(|q| ask(dns, q))).await;
        cache.extend(replies);
        let mut next = Vec::new();
        for &n in &level {
            for i in 0..nodes[n].items.len() {
                let Outcome::Pending(query) = nodes[n].items[i].outcome.clone() else {
                    continue;
                };
                let outcome = match cache.get(&query) {
                    None => Outcome::Skipped("the query budget of this check was spent"),
                    Some(Reply::Count(Err(e))) => Outcome::Failed(query, e.clone()),
                    Some(Reply::Count(Ok(Answer::NxDomain))) => Outcome::Void(true),
                    Some(Reply::Count(Ok(Answer::NoRecords | Answer::Found(0)))) => Outcome::Void(false),
                    Some(Reply::Count(Ok(Answer::Found(k)))) => Outcome::Records(*k),
                    Some(Reply::Txt(_)) if nodes.len() >= MAX_RECORDS => Outcome::Skipped("too many records to follow"),
                    Some(Reply::Txt(answer)) => {
                        let parent = &nodes[n];
                        let target = nodes[n].items[i].target.clone();
                        let mut chain = parent.chain.clone();
                        chain.push(target.clone());
                        let child = Node::new(target, parent.depth + 1, chain, State::from_txt(answer.clone()));
                        nodes.push(child);
                        next.push(nodes.len() - 1);
                        Outcome::Child(nodes.len() - 1)
                    }
                };
                nodes[n].items[i].outcome = outcome;
            }
        }
        level = next;
    }
    nodes
}

async fn ask<R: Resolve>(dns: &R, query: Query) -> (Query, Reply) {
    fn count<T>(answer: Lookup<Vec<T>>) -> Lookup<usize> {
        answer.map(|a| match a {
            Answer::Found(v) => Answer::Found(v.len()),
            Answer::NoRecords => Answer::NoRecords,
            Answer::NxDomain => Answer::NxDomain,
        })
    }
    let reply = match &query {
        Query::Txt(name) => Reply::Txt(dns.txt(name).await),
        Query::Addresses(name) => Reply::Count(count(dns.addresses(name).await)),
        Query::Mx(name) => Reply::Count(count(dns.mx(name).await)),
    };
    (query, reply)
}

/// Lookups of a node's branch: its counted items, and everything below its includes.
fn branch_lookups(nodes: &[Node], n: usize) -> usize {
    nodes[n]
        .items
        .iter()
        .filter(|i| i.counted())
        .map(|i| 1 + child_of(i).map_or(0, |c| branch_lookups(nodes, c)))
        .sum()
}

fn child_of(item: &Item) -> Option<usize> {
    match item.outcome {
        Outcome::Child(c) => Some(c),
        _ => None,
    }
}

fn is_void(nodes: &[Node], item: &Item) -> bool {
    match item.outcome {
        Outcome::Void(_) => true,
        Outcome::Child(c) => matches!(nodes[c].state, State::NoSpf(Absent::NxDomain | Absent::NoRecords)),
        _ => false,
    }
}

/// The nodes in tree order (depth first, terms in record order).
fn tree_order(nodes: &[Node]) -> Vec<usize> {
    fn visit(nodes: &[Node], n: usize, out: &mut Vec<usize>) {
        out.push(n);
        for item in &nodes[n].items {
            if let Some(c) = child_of(item) {
                visit(nodes, c, out);
            }
        }
    }
    let mut out = Vec::new();
    visit(nodes, 0, &mut out);
    out
}

/// How a record ends, following `redirect` when it has no `all`.
enum Ending {
    /// The `all` qualifier, and the node holding it when reached through redirect.
    All(Qualifier, Option<usize>),
    /// No `all` and no `redirect`: receivers default to neutral.
    Missing,
    /// Depends on a redirect that holds macros (its text).
    Macro(String),
    /// Not known because a lookup failed or the target is broken (reported elsewhere).
    Unknown,
}

fn ending(nodes: &[Node], n: usize, hops: usize) -> Ending {
    let Some(node) = nodes.get(n) else {
        return Ending::Unknown;
    };
    let State::Spf { record, .. } = &node.state else {
        return Ending::Unknown;
    };
    if let Some(q) = record.all() {
        return Ending::All(q, None);
    }
    let Some(redirect) = node.items.iter().find(|i| i.kind == Kind::Redirect) else {
        return Ending::Missing;
    };
    match redirect.outcome {
        Outcome::Child(c) if hops <= MAX_DEPTH => match ending(nodes, c, hops + 1) {
            Ending::All(q, holder) => Ending::All(q, Some(holder.unwrap_or(c))),
            other => other,
        },
        Outcome::Macro => Ending::Macro(redirect.text.clone()),
        _ => Ending::Unknown,
    }
}

fn plural(n: usize, word: &str) -> String {
    match (n, word.ends_with('s')) {
        (1, _) => format!("1 {word}"),
        (_, true) => format!("{n} {word}es"),
        (_, false) => format!("{n} {word}s"),
    }
}

fn render_tree(nodes: &[Node]) -> String {
    fn items(nodes: &[Node], n: usize, indent: usize, lines: &mut Vec<String>) {
        for item in &nodes[n].items {
            if lines.len() > MAX_TREE_LINES {
                return;
            }
            let pad = "  ".repeat(indent);
            let target = if item.explicit {
                String::new()
            } else {
                format!(" → {}", item.target)
            };
            lines.push(format!("{pad}{}{target} ({})", item.text, describe(nodes, item)));
            if let Some(c) = child_of(item) {
                items(nodes, c, indent + 1, lines);
            }
        }
    }
    let mut lines = vec![format!(
        "{} ({} in total)",
        nodes[0].domain,
        plural(branch_lookups(nodes, 0), "lookup")
    )];
    items(nodes, 0, 1, &mut lines);
    if lines.len() > MAX_TREE_LINES {
        lines.truncate(MAX_TREE_LINES);
        lines.push("… (the rest of the tree is left out)".to_string());
    }
    lines.join("\n")
}

fn describe(nodes: &[Node], item: &Item) -> String {
    match &item.outcome {
        Outcome::Child(c) => match &nodes[*c].state {
            State::Spf { .. } => plural(1 + branch_lookups(nodes, *c), "lookup"),
            State::NoSpf(Absent::NxDomain) => "the name does not exist: void lookup, no SPF record".to_string(),
            State::NoSpf(Absent::NoRecords) => "no TXT records: void lookup, no SPF record".to_string(),
            State::NoSpf(Absent::OtherTxt(k)) => {
                format!("no SPF record among its {}", plural(*k, "TXT record"))
            }
            State::Multiple(v) => format!("{} SPF records: an error", v.len()),
            State::Broken { error, .. } => format!("broken SPF record: {}", error.message),
            State::Failed(e) => format!("lookup failed: {e}"),
        },
        Outcome::Records(k) => match item.kind {
            Kind::Mx => plural(*k, "mail server"),
            Kind::Exists => "found".to_string(),
            _ => plural(*k, "address"),
        },
        Outcome::Void(true) => "the name does not exist: void lookup".to_string(),
        Outcome::Void(false) => "no records: void lookup".to_string(),
        Outcome::Failed(_, e) => format!("lookup failed: {e}"),
        Outcome::Macro => "contains macros that depend on each message: counted, not followed".to_string(),
        Outcome::Ptr => "deprecated; depends on the sender's address: counted, not looked up".to_string(),
        Outcome::Loop(chain) => format!("loop: {}", chain.join(" → ")),
        Outcome::Pending(_) => "not followed".to_string(),
        Outcome::Skipped(why) => format!("not followed: {why}"),
        Outcome::Ignored(why) => format!("ignored, not counted: {why}"),
    }
}

// ---- the check ----------------------------------------------------------------------------

/// The `email.spf` check of `domain`.
pub async fn check<R: Resolve>(domain: &str, dns: &R) -> ProbeResult {
    let domain = normalise(domain);
    if !valid_domain(&domain) {
        return ProbeResult::new(
            ID,
            Status::Error,
            title(),
            format!(
                "`{}` is not a valid domain name, so its SPF record could not be checked.",
                clip(&domain)
            ),
        );
    }
    let label = format!("TXT {domain}");
    match State::from_txt(dns.txt(&domain).await) {
        State::Failed(e) => ProbeResult::new(
            ID,
            Status::Error,
            title(),
            format!("Could not check the SPF record of {domain}: {e}."),
        )
        .evidence(&label, format!("lookup failed: {e}"))
        .fix("Run the check again; if it keeps failing, ask whoever runs your DNS why it does not answer."),
        State::NoSpf(Absent::NxDomain) => ProbeResult::new(
            ID,
            Status::Error,
            title(),
            format!("The domain {domain} does not exist in DNS, so it has no SPF record to check."),
        )
        .evidence(&label, "the domain does not exist (NXDOMAIN)")
        .fix(format!(
            "Check the spelling of {domain}. If it is right, create the domain at your DNS provider, then \
             publish its SPF record."
        )),
        State::NoSpf(absent) => no_record(&domain, &label, absent),
        State::Multiple(records) => {
            let merged = merge(&records);
            ProbeResult::new(
                ID,
                Status::Fail,
                title(),
                format!(
                    "Your domain publishes {} SPF records; receiving servers treat that as an error and may reject \
                     your mail.",
                    records.len()
                ),
            )
            .evidence(&label, records.join("\n"))
            .fix(format!(
                "Keep exactly one SPF record at {domain}: delete these {} records and publish this one, which \
                 combines their terms: `{merged}`. Then run this check again to make sure it needs no more than \
                 10 lookups.",
                records.len()
            ))
        }
        State::Broken { text, error } => {
            let marker = format!("{}^", " ".repeat(error.position.min(400)));
            ProbeResult::new(
                ID,
                Status::Fail,
                title(),
                format!(
                    "Your SPF record has a mistake at character {}, so receiving servers treat it as an error and \
                     may reject your mail.",
                    error.position + 1
                ),
            )
            .evidence(&label, text.clone())
            .evidence(
                "syntax error",
                format!("{text}\n{marker}\ncharacter {}: {}", error.position + 1, error.message),
            )
            .fix(format!(
                "Correct the SPF record at {domain}: {}. This check stops at the first mistake, so run it again \
                 after the change.",
                error.message
            ))
        }
        state @ State::Spf { .. } => {
            let root = Node::new(domain.clone(), 0, vec![domain.clone()], state);
            let nodes = walk(dns, root).await;
            judge(&domain, &label, &nodes)
        }
    }
}

fn valid_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|l| {
            !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}
#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::net::IpAddr;
    use std::sync::Mutex;

    use super::*;

    // ---- an in-memory zone ----------------------------------------------------------------

    /// Names map to records; a name without any record does not exist (NXDOMAIN); a name in
    /// `broken` answers every query with that error.
    #[derive(Default)]
    struct Zone {
        txt: HashMap<String, Vec<String>>,
        addresses: HashMap<String, Vec<IpAddr>>,
        mx: HashMap<String, Vec<(u16, String)>>,
        broken: HashMap<String, DnsError>,
        asked: Mutex<Vec<String>>,
    }

    impl Zone {
        fn with_txt(mut self, name: &str, records: &[&str]) -> Zone {
            self.txt
                .entry(name.to_string())
                .or_default()
                .extend(records.iter().map(|r| (*r).to_string()));
            self
        }

        fn with_address(mut self, name: &str, ip: &str) -> Zone {
            self.addresses
                .entry(name.to_string())
                .or_default()
                .push(ip.parse().unwrap());
            self
        }

        fn with_mx(mut self, name: &str, host: &str) -> Zone {
            let list = self.mx.entry(name.to_string()).or_default();
            list.push((u16::try_from(list.len()).unwrap(), host.to_string()));
            self
        }

        fn failing(mut self, name: &str, e: DnsError) -> Zone {
            self.broken.insert(name.to_string(), e);
            self
        }

        fn exists(&self, name: &str) -> bool {
            self.txt.contains_key(name) || self.addresses.contains_key(name) || self.mx.contains_key(name)
        }

        fn answer<T: Clone>(&self, kind: &str, name: &str, map: &HashMap<String, Vec<T>>) -> Lookup<Vec<T>> {
            self.asked.lock().unwrap().push(format!("{kind} {name}"));
            if let Some(e) = self.broken.get(name) {
                return Err(e.clone());
            }
            match map.get(name) {
                Some(v) => Ok(Answer::Found(v.clone())),
                None if self.exists(name) => Ok(Answer::NoRecords),
                None => Ok(Answer::NxDomain),
            }
        }

        fn queries(&self) -> usize {
            self.asked.lock().unwrap().len()
        }
    }

    impl Resolve for Zone {
        async fn txt(&self, name: &str) -> Lookup<Vec<String>> {
            self.answer("TXT", name, &self.txt)
        }
        async fn mx(&self, name: &str) -> Lookup<Vec<(u16, String)>> {
            self.answer("MX", name, &self.mx)
        }
        async fn addresses(&self, name: &str) -> Lookup<Vec<IpAddr>> {
            self.answer("A", name, &self.addresses)
        }
        async fn caa(&self, _name: &str) -> Lookup<Vec<super::super::dns::Caa>> {
            Ok(Answer::NoRecords)
        }
    }

    fn run(zone: &Zone, domain: &str) -> ProbeResult {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(check(domain, zone))
    }

    fn evidence<'a>(r: &'a ProbeResult, label: &str) -> &'a str {
        r.evidence
            .iter()
            .find(|e| e.label == label)
            .map_or_else(|| panic!("no evidence {label:?} in {r:#?}"), |e| e.value.as_str())
    }

    // ---- the check --------------------------------------------------------------------------

    fn good() -> Zone {
        Zone::default()
            .with_txt(
                "acme.example",
                &["v=spf1 include:_spf.mail.example ip4:192.0.2.0/24 mx -all", "hello=1"],
            )
            .with_txt(
                "_spf.mail.example",
                &["v=spf1 ip4:198.51.100.0/24 include:_nb.mail.example ~all"],
            )
            .with_txt("_nb.mail.example", &["v=spf1 ip6:2001:db8::/32 -all"])
            .with_mx("acme.example", "mx1.mail.example")
    }

    #[test]
    fn a_good_record_passes() {
        let zone = good();
        let r = run(&zone, "Acme.Example.");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(r.id, "email.spf");
        assert_eq!(
            evidence(&r, "TXT acme.example"),
            "v=spf1 include:_spf.mail.example ip4:192.0.2.0/24 mx -all"
        );
        assert_eq!(evidence(&r, "DNS lookups"), "3 of 10");
        assert_eq!(evidence(&r, "void lookups"), "0 of 2");
        let tree = evidence(&r, "lookup tree");
        assert!(tree.starts_with("acme.example (3 lookups in total)"), "{tree}");
        assert!(tree.contains("\n  include:_spf.mail.example (2 lookups)"), "{tree}");
        assert!(tree.contains("\n    include:_nb.mail.example (1 lookup)"), "{tree}");
        assert!(tree.contains("\n  mx → acme.example (1 mail server)"), "{tree}");
        assert!(
            r.summary.contains("-all") && r.summary.contains("3 of the 10"),
            "{}",
            r.summary
        );
        assert!(r.fix.is_none());
    }

    #[test]
    fn the_check_future_is_send() {
        fn send<T: Send>(_: &T) {}
        let zone = good();
        let future = check("acme.example", &zone);
        send(&future);
    }

    #[test]
    fn no_record_fails_with_a_starter_record() {
        let zone = Zone::default().with_txt("acme.example", &["google-site-verification=abc"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("no SPF record"), "{}", r.summary);
        assert!(evidence(&r, "TXT acme.example").contains("1 TXT record of another kind"));
        let fix = r.fix.clone().unwrap();
        assert!(
            fix.contains("v=spf1 include:<your mail provider's SPF domain> ~all"),
            "{fix}"
        );
        // `v=spf10` is not an SPF record.
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf10 -all"])
            .with_mx("acme.example", "mx.example");
        assert_eq!(run(&zone, "acme.example").status, Status::Fail);
        let zone = Zone::default().with_mx("acme.example", "mx.example");
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert_eq!(evidence(&r, "TXT acme.example"), "no TXT records at all");
    }

    #[test]
    fn a_domain_that_does_not_exist_is_its_own_message() {
        let r = run(&Zone::default(), "nowhere.example");
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("does not exist"), "{}", r.summary);
        assert_eq!(run(&Zone::default(), "not a domain").status, Status::Error);
    }

    #[test]
    fn two_records_fail_and_the_fix_merges_them() {
        let zone = Zone::default().with_txt(
            "acme.example",
            &[
                "v=spf1 ip4:192.0.2.1 include:_spf.a.example -all",
                "V=SPF1 include:_spf.a.example mx ~all",
            ],
        );
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("2 SPF records"), "{}", r.summary);
        assert_eq!(evidence(&r, "TXT acme.example").lines().count(), 2);
        let fix = r.fix.clone().unwrap();
        assert!(
            fix.contains("`v=spf1 ip4:192.0.2.1 include:_spf.a.example mx -all`"),
            "{fix}"
        );
        assert_eq!(zone.queries(), 1, "no need to follow anything");
    }

    #[test]
    fn a_syntax_error_fails_with_its_position() {
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 mx ip4:192.0.2.1/33 -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("character 11"), "{}", r.summary);
        let detail = evidence(&r, "syntax error");
        assert!(detail.contains("\n          ^\n"), "{detail}");
        assert!(
            detail.contains("`ip4:192.0.2.1/33`: an IPv4 prefix length must be between 0 and 32"),
            "{detail}"
        );
    }

    #[test]
    fn more_than_ten_lookups_through_nested_includes_fail() {
        let mut zone = Zone::default()
            .with_txt(
                "acme.example",
                &["v=spf1 include:big.example include:small.example a ~all"],
            )
            .with_txt(
                "big.example",
                &["v=spf1 include:b1.example include:b2.example include:b3.example -all"],
            )
            .with_txt("small.example", &["v=spf1 include:s1.example -all"])
            .with_address("acme.example", "192.0.2.1");
        for name in ["b1", "b2", "b3", "s1"] {
            zone = zone
                .with_txt(
                    &format!("{name}.example"),
                    &[&format!("v=spf1 a:h.{name}.example -all")],
                )
                .with_address(&format!("h.{name}.example"), "192.0.2.2");
        }
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        // big 1 + 3 × (include + a) = 7; small 1 + 2 = 3; a = 1.
        assert_eq!(evidence(&r, "DNS lookups"), "11 of 10");
        assert!(r.summary.contains("needs 11 DNS lookups"), "{}", r.summary);
        let fix = r.fix.clone().unwrap();
        assert!(
            fix.contains("The heaviest: include:big.example (7 lookups), include:small.example (3 lookups)."),
            "{fix}"
        );
        assert!(evidence(&r, "lookup tree").contains("      a:h.b3.example (1 address)"));
    }

    #[test]
    fn more_than_two_void_lookups_fail() {
        let zone = Zone::default()
            .with_txt(
                "acme.example",
                &["v=spf1 a:gone1.example mx:gone2.example include:_spf.p.example -all"],
            )
            .with_txt("_spf.p.example", &["v=spf1 exists:empty.example -all"])
            .with_mx("empty.example", "mx.example");
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert_eq!(evidence(&r, "void lookups"), "3 of 2");
        assert!(r.summary.contains("3 names"), "{}", r.summary);
        assert!(evidence(&r, "lookup tree").contains("exists:empty.example (no records: void lookup)"));
        assert!(
            r.fix
                .clone()
                .unwrap()
                .contains("`a:gone1.example` in the record of acme.example (gone1.example does not exist)")
        );
        // Two are allowed.
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 a:gone1.example a:gone2.example -all"]);
        assert_eq!(run(&zone, "acme.example").status, Status::Pass);
    }

    #[test]
    fn an_include_loop_fails_naming_the_chain() {
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 include:a.example -all"])
            .with_txt("a.example", &["v=spf1 include:b.example -all"])
            .with_txt("b.example", &["v=spf1 include:A.example. -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.summary
                .contains("form a loop (acme.example → a.example → b.example → a.example)"),
            "{}",
            r.summary
        );
        // The same include twice on one level is not a loop.
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 include:a.example include:a.example -all"])
            .with_txt("a.example", &["v=spf1 ip4:192.0.2.1 -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(evidence(&r, "DNS lookups"), "2 of 10");
        assert_eq!(zone.queries(), 2, "the second include is answered from the cache");
    }

    #[test]
    fn plus_all_fails_and_the_fix_shows_the_record() {
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 mx  +all"])
            .with_mx("acme.example", "mx.example");
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("any server in the world"), "{}", r.summary);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 mx ~all`"));
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 all"]);
        assert_eq!(run(&zone, "acme.example").status, Status::Fail);
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 ip4:0.0.0.0/0 -all"]);
        assert_eq!(run(&zone, "acme.example").status, Status::Fail);
        // A provider's record ending in +all lets everyone through the include.
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 include:open.example -all"])
            .with_txt("open.example", &["v=spf1 +all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.summary.contains("includes open.example, whose record ends in +all"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn question_all_and_no_all_warn() {
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 ip4:192.0.2.1 ?all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 ip4:192.0.2.1 ~all`"));
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 ip4:192.0.2.1"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("no closing all"), "{}", r.summary);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 ip4:192.0.2.1 ~all`"));
    }

    #[test]
    fn redirect_takes_the_ending_of_its_target() {
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 redirect=_spf.acme.example"])
            .with_txt("_spf.acme.example", &["v=spf1 ip4:192.0.2.0/24 -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(evidence(&r, "DNS lookups"), "1 of 10");
        assert!(
            r.summary.contains("-all (through redirect to _spf.acme.example)"),
            "{}",
            r.summary
        );
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 redirect=_spf.acme.example"])
            .with_txt("_spf.acme.example", &["v=spf1 ip4:192.0.2.0/24 +all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 ip4:192.0.2.0/24 ~all`"));
        // With all in the record, redirect is ignored and not counted.
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 redirect=_spf.acme.example -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert_eq!(evidence(&r, "DNS lookups"), "0 of 10");
        assert!(evidence(&r, "lookup tree").contains("ignored, not counted"));
        // A redirect to a name without SPF is an error.
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 redirect=gone.example"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.summary.contains("redirects to gone.example, which does not exist"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn includes_without_a_valid_record_fail() {
        for (record, words) in [
            (None, "which does not exist"),
            (Some("hello"), "which has no SPF record"),
            (Some("v=spf1 a/99 -all"), "whose SPF record has a mistake"),
        ] {
            let mut zone = Zone::default().with_txt("acme.example", &["v=spf1 include:p.example -all"]);
            if let Some(record) = record {
                zone = zone.with_txt("p.example", &[record]);
            }
            let r = run(&zone, "acme.example");
            assert_eq!(r.status, Status::Fail, "{record:?}");
            assert!(r.summary.contains(words), "{record:?}: {}", r.summary);
        }
    }

    #[test]
    fn ptr_warns() {
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 ptr:acme.example -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("ptr"), "{}", r.summary);
        assert_eq!(evidence(&r, "DNS lookups"), "1 of 10");
        assert_eq!(zone.queries(), 1, "ptr is not looked up");
    }

    #[test]
    fn an_mx_with_more_than_ten_hosts_fails() {
        let mut zone = Zone::default().with_txt("acme.example", &["v=spf1 mx -all"]);
        for i in 0..11 {
            zone = zone.with_mx("acme.example", &format!("mx{i}.example"));
        }
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.summary.contains("finds 11 mail servers"), "{}", r.summary);
        assert!(evidence(&r, "lookup tree").contains("mx → acme.example (11 mail servers)"));
    }

    #[test]
    fn macros_are_counted_but_not_followed() {
        let zone = Zone::default().with_txt(
            "acme.example",
            &["v=spf1 include:%{i}._spf.acme.example exists:%{l}.x.acme.example -all"],
        );
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(evidence(&r, "DNS lookups").starts_with("2 of 10 (at least"));
        assert!(evidence(&r, "lookup tree").contains("contains macros that depend on each message"));
        assert_eq!(zone.queries(), 1);
    }

    #[test]
    fn small_mistakes_warn() {
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 -all include:_spf.p.example"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.fix.clone().unwrap().contains("`v=spf1 include:_spf.p.example -all`"));
        assert_eq!(evidence(&r, "DNS lookups"), "0 of 10");
        let zone = Zone::default().with_txt("acme.example", &["v=spf1 include=_spf.p.example -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Warn);
        assert!(r.fix.clone().unwrap().contains("include:_spf.p.example"));
    }

    #[test]
    fn dns_failures_are_errors_not_verdicts() {
        let zone = good().failing("_nb.mail.example", DnsError::Timeout);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Error, "{r:#?}");
        assert!(r.summary.contains("did not answer in time"), "{}", r.summary);
        assert!(evidence(&r, "DNS lookups").contains("at least"));
        let zone = good().failing("acme.example", DnsError::ServFail);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("SERVFAIL"), "{}", r.summary);
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 a:broken.example -all"])
            .failing("broken.example", DnsError::Refused);
        assert_eq!(run(&zone, "acme.example").status, Status::Error);
        // A failure already certain stays a failure.
        let zone = Zone::default()
            .with_txt("acme.example", &["v=spf1 include:slow.example +all"])
            .failing("slow.example", DnsError::Timeout);
        assert_eq!(run(&zone, "acme.example").status, Status::Fail);
    }

    #[test]
    fn work_is_bounded() {
        // A chain of 30 distinct includes: depth stops at 10, and the count already fails.
        let mut zone = Zone::default().with_txt("acme.example", &["v=spf1 include:l0.example -all"]);
        for i in 0..30 {
            zone = zone.with_txt(
                &format!("l{i}.example"),
                &[&format!("v=spf1 include:l{}.example -all", i + 1)],
            );
        }
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(zone.queries() <= 11, "{}", zone.queries());
        assert!(evidence(&r, "lookup tree").contains("more than 10 levels"));
        // A wide tree of distinct names stops at the query budget.
        let many: Vec<String> = (0..100).map(|i| format!("a:h{i}.example")).collect();
        let record = format!("v=spf1 {} -all", many.join(" "));
        let zone = Zone::default().with_txt("acme.example", &[&record]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert_eq!(zone.queries(), MAX_QUERIES);
        assert!(evidence(&r, "DNS lookups").starts_with("100 of 10"));
        // Includes of includes of the same name: records stop at MAX_RECORDS.
        let wide: Vec<String> = (0..8).map(|_| "include:w.example".to_string()).collect();
        let record = format!("v=spf1 {} -all", wide.join(" "));
        let zone = Zone::default()
            .with_txt("acme.example", &[&record])
            .with_txt("w.example", &[&record.replace("w.example", "v.example")])
            .with_txt("v.example", &[&record.replace("w.example", "u.example")])
            .with_txt("u.example", &["v=spf1 -all"]);
        let r = run(&zone, "acme.example");
        assert_eq!(r.status, Status::Fail);
        assert!(evidence(&r, "lookup tree").contains("too many records"));
    }
}
