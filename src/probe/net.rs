//! Name resolution for every connection the tool makes, API and web probes alike: a name pinned
//! with `--resolve HOST:IP`, a `--connect-to HOST:PORT:IP:PORT` rule (web probes), an IP address
//! written as the host, or a lookup through [`Dns`] (the `--resolver` server, else the system's
//! configuration). One path, so a pinned name can never silently resolve elsewhere.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use super::ProbeCtx;
use super::dns::{Answer, Dns, Resolve};

/// A `--connect-to` rule: connections to `host:port` go to `to` instead (as curl's option does),
/// while the TLS name and the `Host` header stay `host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    pub host: String,
    pub port: u16,
    pub to: SocketAddr,
}

impl ConnectTo {
    /// `HOST:PORT:IP:PORT` (an IPv6 address in brackets).
    pub fn parse(text: &str) -> Option<ConnectTo> {
        let (host, rest) = text.split_once(':')?;
        let (port, to) = rest.split_once(':')?;
        let host = super::dns::normalise(host);
        if host.is_empty() {
            return None;
        }
        Some(ConnectTo {
            host,
            port: port.parse().ok()?,
            to: to.parse().ok()?,
        })
    }
}

/// `HOST:IP` of `--resolve` (IPv6 with or without brackets), as a pinned name.
pub fn parse_pin(text: &str) -> Option<(String, IpAddr)> {
    let (host, ip) = text.split_once(':')?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    let host = super::dns::normalise(host);
    (!host.is_empty()).then_some(())?;
    Some((host, ip.parse().ok()?))
}

/// Why a name gave no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// The name does not exist in DNS (NXDOMAIN).
    NoSuchName(String),
    /// The name exists but has no A or AAAA record.
    NoAddress(String),
    /// The lookup itself failed (timeout, SERVFAIL, no DNS configuration).
    Failed(String),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::NoSuchName(host) => write!(f, "{host} does not exist in DNS"),
            NameError::NoAddress(host) => write!(f, "{host} has no address in DNS"),
            NameError::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for NameError {}

/// Resolves names the one way the whole tool does (see the module documentation).
pub struct Names {
    pins: Vec<(String, IpAddr)>,
    connect_to: Vec<ConnectTo>,
    dns: Result<Arc<Dns>, String>,
}

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Names")
            .field("pins", &self.pins)
            .field("connect_to", &self.connect_to)
            .finish_non_exhaustive()
    }
}

impl Names {
    /// Names for `ctx`, looking up through `dns` (or saying why DNS could not be set up).
    pub fn new(ctx: &ProbeCtx, dns: Result<Arc<Dns>, String>) -> Names {
        Names {
            pins: ctx.pins.clone(),
            connect_to: ctx.connect_to.clone(),
            dns,
        }
    }

    /// The resolver behind the lookups, when it could be set up.
    pub fn dns(&self) -> Option<&Dns> {
        self.dns.as_ref().ok().map(AsRef::as_ref)
    }

    /// The addresses of `host`: an IP address as itself, a pinned name as pinned, else DNS.
    pub async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, NameError> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let host = super::dns::normalise(host);
        let pinned: Vec<IpAddr> = self
            .pins
            .iter()
            .filter(|(h, _)| *h == host)
            .map(|(_, ip)| *ip)
            .collect();
        if !pinned.is_empty() {
            return Ok(pinned);
        }
        let dns = self
            .dns
            .as_ref()
            .map_err(|why| NameError::Failed(format!("DNS could not be set up on this computer ({why})")))?;
        match dns.addresses(&host).await {
            Ok(Answer::Found(ips)) => Ok(ips),
            Ok(Answer::NxDomain) => Err(NameError::NoSuchName(host)),
            Ok(Answer::NoRecords) => Err(NameError::NoAddress(host)),
            Err(e) => Err(NameError::Failed(format!("looking up {host}: {e}"))),
        }
    }

    /// Where a connection to `host:port` goes: a `--connect-to` rule first, else every address
    /// of `host` on `port`.
    pub async fn socket_addrs(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, NameError> {
        let name = super::dns::normalise(host);
        if let Some(rule) = self.connect_to.iter().find(|r| r.host == name && r.port == port) {
            return Ok(vec![rule.to]);
        }
        Ok(self
            .addresses(host)
            .await?
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_as_curl_writes_them() {
        assert_eq!(
            parse_pin("Acme.Example.:127.0.0.1"),
            Some(("acme.example".into(), "127.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            parse_pin("acme.example:[::1]").map(|p| p.1),
            Some("::1".parse().unwrap())
        );
        assert_eq!(parse_pin("acme.example"), None);
        assert_eq!(parse_pin(":127.0.0.1"), None);
        assert_eq!(parse_pin("acme.example:localhost"), None);
        let rule = ConnectTo::parse("www.acme.example:80:127.0.0.1:8080").unwrap();
        assert_eq!((rule.host.as_str(), rule.port), ("www.acme.example", 80));
        assert_eq!(rule.to, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(ConnectTo::parse("acme.example:443:[::1]:8443").unwrap().to.port(), 8443);
        for bad in [
            "acme.example:80:127.0.0.1",
            "acme.example:x:127.0.0.1:1",
            ":80:127.0.0.1:1",
        ] {
            assert_eq!(ConnectTo::parse(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn pins_and_rules_come_before_dns() {
        let ctx = ProbeCtx {
            pins: vec![("acme.example".into(), "127.0.0.2".parse().unwrap())],
            connect_to: vec![ConnectTo::parse("acme.example:80:127.0.0.1:8080").unwrap()],
            ..ProbeCtx::default()
        };
        // No DNS at all: only what the options say can be answered.
        let names = Names::new(&ctx, Err("none here".into()));
        assert_eq!(
            names.socket_addrs("ACME.example", 80).await.unwrap(),
            ["127.0.0.1:8080".parse().unwrap()]
        );
        assert_eq!(
            names.socket_addrs("acme.example", 443).await.unwrap(),
            ["127.0.0.2:443".parse().unwrap()]
        );
        assert_eq!(
            names.addresses("[::1]").await.unwrap(),
            ["::1".parse::<IpAddr>().unwrap()]
        );
        let err = names.addresses("other.example").await.unwrap_err();
        assert!(err.to_string().contains("none here"), "{err}");
    }
}
