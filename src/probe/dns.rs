//! DNS lookups for the probes: a small [`Lookup`] interface (so record logic can be tested with
//! an in-memory zone) and [`Dns`], its implementation over hickory-resolver.
//!
//! Answers distinguish "the name has records", "the name exists but has none of this type" and
//! "the name does not exist"; failures (timeout, SERVFAIL, REFUSED, unreachable server) are a
//! separate [`DnsError`] so a probe can say `error` instead of guessing.
//!
//! Also the DNS-name helpers the checks share (`normalise`, `organisational`, `is_hostname`) and,
//! for tests, `TxtZone`, an in-memory TXT zone.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a query found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    Found(T),
    /// The name exists but has no records of this type (NODATA).
    NoRecords,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
}

impl<T> Answer<T> {
    /// The records, or an empty default when there are none.
    pub fn records(self) -> T
    where
        T: Default,
    {
        match self {
            Answer::Found(t) => t,
            Answer::NoRecords | Answer::NxDomain => T::default(),
        }
    }
}

/// Why a query could not be answered. Never a verdict about the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsError {
    Timeout,
    ServFail,
    Refused,
    /// Any other failure, in words.
    Other(String),
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsError::Timeout => f.write_str("the DNS server did not answer in time"),
            DnsError::ServFail => f.write_str("the DNS server failed to answer (SERVFAIL)"),
            DnsError::Refused => f.write_str("the DNS server refused the query (REFUSED)"),
            DnsError::Other(why) => write!(f, "DNS lookup failed: {why}"),
        }
    }
}

impl std::error::Error for DnsError {}

/// A domain as typed by the user, made comparable: no surrounding space, no trailing dot,
/// lowercase.
pub(crate) fn normalise(domain: &str) -> String {
    domain.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The organisational (registrable) domain of `name`, or `name` itself when the public suffix
/// list does not know one.
pub(crate) fn organisational(name: &str) -> String {
    let name = normalise(name);
    psl::domain_str(&name).map_or_else(|| name.clone(), str::to_string)
}

/// A host name with at least two labels of letters, digits, `-` or `_` (no leading or trailing
/// `-`), each at most 63 characters, 253 in all; a trailing dot is allowed.
pub(crate) fn is_hostname(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    let mut labels = 0;
    for label in name.split('.') {
        labels += 1;
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return false;
        }
    }
    labels >= 2
}

/// One CAA record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caa {
    pub critical: bool,
    pub tag: String,
    pub value: String,
}

pub type Lookup<T> = Result<Answer<T>, DnsError>;

/// The DNS queries the probes make. Names are absolute or relative to the root; a trailing dot
/// is optional.
pub trait Resolve: Sync {
    /// TXT records, each one's character-strings joined without separators (RFC 7208 §3.3).
    fn txt(&self, name: &str) -> impl Future<Output = Lookup<Vec<String>>> + Send;
    /// MX records as (preference, exchange), exchange without the trailing dot.
    fn mx(&self, name: &str) -> impl Future<Output = Lookup<Vec<(u16, String)>>> + Send;
    /// A and AAAA addresses together.
    fn addresses(&self, name: &str) -> impl Future<Output = Lookup<Vec<IpAddr>>> + Send;
    /// CAA records.
    fn caa(&self, name: &str) -> impl Future<Output = Lookup<Vec<Caa>>> + Send;
}

/// DNS over hickory-resolver: the system configuration, or one explicit server (UDP, with TCP
/// on truncation), with a per-query timeout and retries. Counts the queries it sends.
pub struct Dns {
    resolver: hickory_resolver::TokioResolver,
    queries: AtomicUsize,
}

impl Dns {
    pub fn new(ctx: &super::ProbeCtx) -> Result<Dns, DnsError> {
        use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
        use hickory_resolver::net::runtime::TokioRuntimeProvider;
        let mut builder = match ctx.resolver {
            Some(addr) => {
                // UDP first, TCP when an answer is truncated; both on the given port.
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                let server = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
                let config = ResolverConfig::from_name_servers(vec![server]);
                hickory_resolver::Resolver::builder_with_config(config, TokioRuntimeProvider::default())
            }
            None => hickory_resolver::Resolver::builder_tokio()
                .map_err(|e| DnsError::Other(format!("cannot read the system's DNS configuration: {e}")))?,
        };
        let opts = builder.options_mut();
        opts.timeout = ctx.timeout;
        opts.attempts = ctx.attempts.max(1);
        opts.cache_size = 256;
        opts.ndots = 0;
        opts.edns0 = true;
        opts.try_tcp_on_error = false;
        let resolver = builder
            .build()
            .map_err(|e| DnsError::Other(format!("cannot set up DNS: {e}")))?;
        Ok(Dns {
            resolver,
            queries: AtomicUsize::new(0),
        })
    }

    /// How many queries were sent so far.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::Relaxed)
    }

    async fn query<T>(
        &self,
        name: &str,
        kind: hickory_resolver::proto::rr::RecordType,
        map: impl Fn(&hickory_resolver::proto::rr::RData) -> Option<T>,
    ) -> Lookup<Vec<T>> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        let fqdn = if name.ends_with('.') {
            name.to_string()
        } else {
            format!("{name}.")
        };
        match self.resolver.lookup(fqdn.as_str(), kind).await {
            Ok(lookup) => {
                let found: Vec<T> = lookup.answers().iter().filter_map(|r| map(&r.data)).collect();
                if found.is_empty() {
                    Ok(Answer::NoRecords)
                } else {
                    Ok(Answer::Found(found))
                }
            }
            Err(e) => classify(&e),
        }
    }
}

impl Dns {
    /// The CNAME chain starting at `name` (the targets in order, without final dots), at most
    /// eight links; empty when `name` is not an alias.
    pub async fn cname_chain(&self, name: &str) -> Result<Vec<String>, DnsError> {
        use hickory_resolver::proto::rr::{RData, RecordType};
        let mut chain: Vec<String> = Vec::new();
        let mut at = normalise(name);
        for _ in 0..8 {
            let found = self
                .query(&at, RecordType::CNAME, |data| match data {
                    RData::CNAME(c) => Some(normalise(&c.0.to_ascii())),
                    _ => None,
                })
                .await?;
            let next = match found {
                Answer::Found(targets) => targets.into_iter().next(),
                Answer::NoRecords | Answer::NxDomain => None,
            };
            match next {
                Some(next) if !chain.contains(&next) && next != at => {
                    chain.push(next.clone());
                    at = next;
                }
                _ => break,
            }
        }
        Ok(chain)
    }
}

/// Turns a resolver error into "no such records" or a real failure.
fn classify<T>(e: &hickory_resolver::net::NetError) -> Lookup<T> {
    use hickory_resolver::net::{DnsError as Semantic, NetError};
    use hickory_resolver::proto::op::ResponseCode;
    let by_code = |code: ResponseCode| match code {
        ResponseCode::NXDomain => Ok(Answer::NxDomain),
        ResponseCode::NoError => Ok(Answer::NoRecords),
        ResponseCode::ServFail => Err(DnsError::ServFail),
        ResponseCode::Refused => Err(DnsError::Refused),
        other => Err(DnsError::Other(format!("the server answered {other}"))),
    };
    match e {
        NetError::Dns(Semantic::NoRecordsFound(no)) => by_code(no.response_code),
        NetError::Dns(Semantic::ResponseCode(code)) => by_code(*code),
        NetError::Timeout => Err(DnsError::Timeout),
        other => {
            let text = other.to_string();
            if text.contains("timed out") || text.contains("timeout") {
                Err(DnsError::Timeout)
            } else {
                Err(DnsError::Other(text))
            }
        }
    }
}

impl Resolve for Dns {
    async fn txt(&self, name: &str) -> Lookup<Vec<String>> {
        use hickory_resolver::proto::rr::{RData, RecordType};
        self.query(name, RecordType::TXT, |data| match data {
            RData::TXT(txt) => {
                let joined: Vec<u8> = txt.txt_data.iter().flat_map(|part| part.iter().copied()).collect();
                Some(String::from_utf8_lossy(&joined).into_owned())
            }
            _ => None,
        })
        .await
    }

    async fn mx(&self, name: &str) -> Lookup<Vec<(u16, String)>> {
        use hickory_resolver::proto::rr::{RData, RecordType};
        self.query(name, RecordType::MX, |data| match data {
            RData::MX(mx) => Some((mx.preference, mx.exchange.to_ascii().trim_end_matches('.').to_string())),
            _ => None,
        })
        .await
    }

    async fn addresses(&self, name: &str) -> Lookup<Vec<IpAddr>> {
        use hickory_resolver::proto::rr::{RData, RecordType};
        let map = |data: &RData| match data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        };
        let (v4, v6) = tokio::join!(
            self.query(name, RecordType::A, map),
            self.query(name, RecordType::AAAA, map)
        );
        match (v4, v6) {
            (Ok(Answer::Found(mut a)), Ok(Answer::Found(b))) => {
                a.extend(b);
                Ok(Answer::Found(a))
            }
            (Ok(Answer::Found(a)), _) | (_, Ok(Answer::Found(a))) => Ok(Answer::Found(a)),
            (Err(e), _) | (_, Err(e)) => Err(e),
            (Ok(Answer::NxDomain), _) | (_, Ok(Answer::NxDomain)) => Ok(Answer::NxDomain),
            _ => Ok(Answer::NoRecords),
        }
    }

    async fn caa(&self, name: &str) -> Lookup<Vec<Caa>> {
        use hickory_resolver::proto::rr::{RData, RecordType};
        self.query(name, RecordType::CAA, |data| match data {
            RData::CAA(caa) => Some(Caa {
                critical: caa.issuer_critical,
                tag: caa.tag.clone(),
                value: String::from_utf8_lossy(&caa.value).into_owned(),
            }),
            _ => None,
        })
        .await
    }
}

/// An in-memory zone for the record checks' tests: TXT answers by name (looked up normalised); a
/// name not listed answers `default`, or NXDOMAIN; every TXT answer can be delayed. Other record
/// types do not exist.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct TxtZone {
    pub txt: std::collections::HashMap<String, Lookup<Vec<String>>>,
    pub delay: Option<std::time::Duration>,
    pub default: Option<Lookup<Vec<String>>>,
}

#[cfg(test)]
impl TxtZone {
    pub(crate) fn with(mut self, name: &str, records: &[&str]) -> TxtZone {
        let records = records.iter().map(|r| (*r).to_string()).collect();
        self.txt.insert(name.to_string(), Ok(Answer::Found(records)));
        self
    }

    pub(crate) fn failing(mut self, name: &str, error: DnsError) -> TxtZone {
        self.txt.insert(name.to_string(), Err(error));
        self
    }
}

#[cfg(test)]
impl Resolve for TxtZone {
    async fn txt(&self, name: &str) -> Lookup<Vec<String>> {
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        match self.txt.get(&normalise(name)) {
            Some(answer) => answer.clone(),
            None => self.default.clone().unwrap_or(Ok(Answer::NxDomain)),
        }
    }
    async fn mx(&self, _: &str) -> Lookup<Vec<(u16, String)>> {
        Ok(Answer::NxDomain)
    }
    async fn addresses(&self, _: &str) -> Lookup<Vec<IpAddr>> {
        Ok(Answer::NxDomain)
    }
    async fn caa(&self, _: &str) -> Lookup<Vec<Caa>> {
        Ok(Answer::NxDomain)
    }
}
