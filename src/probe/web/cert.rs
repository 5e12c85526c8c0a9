//! Certificate verdicts for the `tls.certificate` check: the roots a site is judged against
//! ([`roots`]), a verifier that records what is wrong instead of aborting the handshake
//! ([`Recording`], used through [`client_config`]), a plain reading of one certificate
//! ([`describe`]) and the verdict on a chain ([`judge`]): trusted, names the host, not expired;
//! under 14 days left fails, under 30 warns.
//!
//! Decisions worth knowing:
//! - The handshake always completes so the whole chain can be read and explained; signature
//!   checks stay real, so the peer still proves it holds the certificate's key. Use this client
//!   configuration only for probes that send no secrets.
//! - Expiry is computed here from the leaf's dates, not taken from rustls, so the 14/30-day rule
//!   and "expired N days ago" do not depend on which error rustls ranked first.
//! - When the chain check fails for another reason, the name is checked as well, so a
//!   self-signed certificate for the wrong name reports both.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{WebPkiServerVerifier, verify_server_name};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::public_key::PublicKey;
use x509_parser::time::ASN1Time;
use x509_parser::x509::X509Name;

use crate::result::{Evidence, ProbeResult, Status};

const DAY_SECS: i64 = 86_400;
/// Under this many days left the check fails.
const FAIL_DAYS: i64 = 14;
/// Under this many days left the check warns.
const WARN_DAYS: i64 = 30;
/// Names shown in the certificate evidence before "+N more".
const SHOWN_NAMES: usize = 10;
/// Longest evidence value taken from a certificate (hostile input).
const MAX_VALUE: usize = 300;

/// The roots a site is judged against: Mozilla's list plus `extra` (from `--ca-file`).
///
/// Extra certificates that do not parse as roots are left out; the caller that read the file
/// reports them.
pub fn roots(extra: &[CertificateDer<'static>]) -> Arc<RootCertStore> {
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    store.add_parsable_certificates(extra.iter().cloned());
    Arc::new(store)
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A server certificate verifier that records rustls' verdict and lets the handshake finish.
#[derive(Debug)]
pub struct Recording {
    /// `None` only when the root store is empty (rustls refuses to build a verifier then).
    inner: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
    problems: Mutex<Vec<Error>>,
}

impl Recording {
    /// A recording verifier judging against `roots`; use one per connection.
    pub fn new(roots: Arc<RootCertStore>) -> Arc<Recording> {
        let provider = provider();
        let algorithms = provider.signature_verification_algorithms;
        let inner = WebPkiServerVerifier::builder_with_provider(roots, provider)
            .build()
            .ok();
        Arc::new(Recording {
            inner,
            algorithms,
            problems: Mutex::new(Vec::new()),
        })
    }

    /// What was wrong with the last chain verified (empty when it was fine or not yet seen).
    pub fn problems(&self) -> Vec<Error> {
        self.problems.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn record(&self, found: Vec<Error>) {
        *self.problems.lock().unwrap_or_else(PoisonError::into_inner) = found;
    }
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verdict = match &self.inner {
            Some(inner) => inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now),
            None => Err(Error::General("no trusted root certificates to check against".into())),
        };
        let mut found = Vec::new();
        if let Err(error) = verdict {
            let about_name = is_name_problem(&error);
            found.push(error);
            // rustls stops at the first problem and checks the name last.
            if !about_name
                && let Ok(parsed) = ParsedCertificate::try_from(end_entity)
                && let Err(name) = verify_server_name(&parsed, server_name)
            {
                found.push(name);
            }
        }
        self.record(found);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        match &self.inner {
            Some(inner) => inner.verify_tls12_signature(message, cert, dss),
            None => rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms),
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        match &self.inner {
            Some(inner) => inner.verify_tls13_signature(message, cert, dss),
            None => rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms),
        }
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        match &self.inner {
            Some(inner) => inner.supported_verify_schemes(),
            None => self.algorithms.supported_schemes(),
        }
    }
}

/// A client configuration (aws-lc-rs, no global provider needed) that verifies through
/// `verifier`, offering `versions` and the ALPN protocols `alpn`.
///
/// Fails only when `versions` holds no version the provider supports (an empty list).
pub fn client_config(
    verifier: Arc<Recording>,
    versions: &[&'static rustls::SupportedProtocolVersion],
    alpn: &[&[u8]],
) -> Result<rustls::ClientConfig, String> {
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .map_err(|e| format!("could not set the TLS versions: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

/// One certificate, read for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// The subject's full name, such as "CN=shop.example, O=Shop".
    pub subject: String,
    /// The short form of the subject: its common name, else organisation, else the full name.
    pub subject_name: String,
    /// DNS names and IP addresses the certificate is valid for.
    pub sans: Vec<String>,
    /// The issuer's full name.
    pub issuer: String,
    /// The short form of the issuer.
    pub issuer_name: String,
    /// The key, such as "RSA 2048 bits" or "ECDSA P-256".
    pub key: String,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    pub self_signed: bool,
    pub is_ca: bool,
}

/// Reads one DER certificate; garbage gives an error, never a panic.
pub fn describe(der: &[u8]) -> Result<CertInfo, String> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|e| format!("not a readable certificate ({e})"))?;
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(dns) => sans.push(one_line(dns)),
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_address(bytes) {
                        sans.push(ip);
                    }
                }
                _ => {}
            }
        }
    }
    let mut subject_key = None;
    let mut authority_key = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => subject_key = Some(id.0),
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                authority_key = aki.key_identifier.as_ref().map(|id| id.0);
            }
            _ => {}
        }
    }
    let same_name = cert.subject().as_raw() == cert.issuer().as_raw();
    let same_key = match (subject_key, authority_key) {
        (Some(s), Some(a)) => s == a,
        _ => true,
    };
    Ok(CertInfo {
        subject: one_line(&cert.subject().to_string()),
        subject_name: short_name(cert.subject()),
        sans,
        issuer: one_line(&cert.issuer().to_string()),
        issuer_name: short_name(cert.issuer()),
        key: key_words(&cert),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        self_signed: same_name && same_key,
        is_ca: cert.is_ca(),
    })
}

fn ip_address(bytes: &[u8]) -> Option<String> {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return Some(std::net::Ipv4Addr::from(v4).to_string());
    }
    <[u8; 16]>::try_from(bytes)
        .ok()
        .map(|v6| std::net::Ipv6Addr::from(v6).to_string())
}

fn short_name(name: &X509Name<'_>) -> String {
    let common = name.iter_common_name().find_map(|a| a.as_str().ok());
    let organisation = || name.iter_organization().find_map(|a| a.as_str().ok());
    match common.or_else(organisation) {
        Some(short) => one_line(short),
        None => one_line(&name.to_string()),
    }
}

fn key_words(cert: &x509_parser::certificate::X509Certificate<'_>) -> String {
    let spki = cert.public_key();
    let algorithm = spki.algorithm.algorithm.to_id_string();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {} bits", rsa.key_size()),
        Ok(PublicKey::EC(ec)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "ECDSA P-256".to_string(),
                Some("1.3.132.0.34") => "ECDSA P-384".to_string(),
                Some("1.3.132.0.35") => "ECDSA P-521".to_string(),
                _ => format!("ECDSA {} bits", ec.key_size()),
            }
        }
        _ if algorithm == "1.3.101.112" => "Ed25519".to_string(),
        _ if algorithm == "1.3.101.113" => "Ed448".to_string(),
        Ok(PublicKey::DSA(_)) => "DSA".to_string(),
        _ => format!("unusual key type ({algorithm})"),
    }
}

/// The verdict on a certificate chain, before it becomes a [`ProbeResult`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub fix: Option<String>,
}

impl Verdict {
    /// The verdict as the result of check `id`.
    pub fn result(self, id: &str, title: &str) -> ProbeResult {
        let mut result = ProbeResult::new(id, self.status, title, self.summary).fix_if(self.fix);
        result.evidence = self.evidence;
        result
    }
}

/// One thing found about the chain, most important first within its status.
struct Finding {
    status: Status,
    summary: String,
    fix: Option<String>,
}

impl Finding {
    fn fail(summary: String, fix: String) -> Finding {
        Finding {
            status: Status::Fail,
            summary,
            fix: Some(fix),
        }
    }
}

/// Judges the chain `host` sent, given the problems [`Recording`] saw, at time `now`.
pub fn judge(host: &str, chain: &[CertificateDer<'_>], problems: &[Error], now: SystemTime) -> Verdict {
    let host = one_line(host);
    let Some(leaf_der) = chain.first() else {
        return Verdict {
            status: Status::Error,
            summary: format!("{host} sent no certificate, so it could not be checked."),
            evidence: problem_evidence(problems),
            fix: None,
        };
    };
    let leaf = match describe(leaf_der) {
        Ok(leaf) => leaf,
        Err(reason) => {
            let mut evidence = vec![Evidence::new(format!("certificate {host}"), reason)];
            evidence.extend(problem_evidence(problems));
            return Verdict {
                status: Status::Error,
                summary: format!("The certificate {host} sent could not be read."),
                evidence,
                fix: None,
            };
        }
    };
    let mut sent = Vec::new();
    let mut evidence = vec![Evidence::new(format!("certificate {host}"), certificate_words(&leaf))];
    for (n, der) in chain.iter().enumerate().skip(1) {
        match describe(der) {
            Ok(info) => sent.push(info),
            Err(reason) => evidence.push(Evidence::new(
                format!("certificate {}", n + 1),
                format!("unreadable: {reason}"),
            )),
        }
    }
    let now = unix_seconds(now);
    let left = leaf.not_after.saturating_sub(now);
    let days_left = left.div_euclid(DAY_SECS);
    evidence.push(Evidence::new("issuer chain", issuer_chain(&leaf, &sent)));
    evidence.push(Evidence::new("key", leaf.key.clone()));
    evidence.push(Evidence::new(
        "valid",
        format!("{} to {}", date(leaf.not_before), date(leaf.not_after)),
    ));
    evidence.push(Evidence::new(
        "days left",
        if now < leaf.not_before {
            "not valid yet".to_string()
        } else if left <= 0 {
            format!("none, expired {}", ago(now.saturating_sub(leaf.not_after)))
        } else {
            days_left.to_string()
        },
    ));
    evidence.extend(problem_evidence(problems));

    let mut findings = Vec::new();
    let leaf_dates_ok = now >= leaf.not_before && left > 0;
    for problem in problems {
        if let Some(finding) = problem_finding(&host, &leaf, &sent, problem, leaf_dates_ok) {
            findings.push(finding);
        }
    }
    findings.push(expiry_finding(&host, &leaf, now, days_left));
    verdict(findings, evidence)
}

fn verdict(findings: Vec<Finding>, evidence: Vec<Evidence>) -> Verdict {
    let rank = |s: Status| match s {
        Status::Fail => 3,
        Status::Error => 2,
        Status::Warn => 1,
        Status::Pass | Status::Skipped => 0,
    };
    let worst = findings.iter().map(|f| rank(f.status)).max().unwrap_or_default();
    let mut fixes: Vec<String> = Vec::new();
    for fix in findings.iter().filter_map(|f| f.fix.as_ref()) {
        if !fixes.contains(fix) {
            fixes.push(fix.clone());
        }
    }
    match findings.into_iter().find(|f| rank(f.status) == worst) {
        Some(primary) => Verdict {
            status: primary.status,
            summary: primary.summary,
            evidence,
            fix: (!fixes.is_empty()).then(|| fixes.join(" ")),
        },
        None => Verdict {
            status: Status::Error,
            summary: "The certificate could not be judged.".to_string(),
            evidence,
            fix: None,
        },
    }
}

fn problem_finding(
    host: &str,
    leaf: &CertInfo,
    sent: &[CertInfo],
    problem: &Error,
    leaf_dates_ok: bool,
) -> Option<Finding> {
    let Error::InvalidCertificate(error) = problem else {
        return Some(Finding {
            status: Status::Error,
            summary: format!("The certificate chain of {host} could not be checked."),
            fix: None,
        });
    };
    let plain = |summary: &str, fix: &str| Some(Finding::fail(summary.to_string(), fix.to_string()));
    match error {
        CertificateError::UnknownIssuer => Some(trust_finding(host, leaf, sent)),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => Some(Finding::fail(
            format!(
                "The certificate {host} presents is not for {host}; it names {}.",
                names_list(&leaf.sans)
            ),
            format!(
                "Use a certificate that names {host}: add {host} to the certificate's names \
                     when you reissue it, or check that {host} points at the right server."
            ),
        )),
        // The leaf's own dates are judged from its fields; these are then about the chain.
        CertificateError::Expired | CertificateError::ExpiredContext { .. } if leaf_dates_ok => plain(
            &format!("A certificate in the chain {host} sends (an intermediate) has expired."),
            "Install the current intermediate certificate from your certificate provider \
                 (use the fresh full-chain file they give you).",
        ),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } if leaf_dates_ok => plain(
            &format!("A certificate in the chain {host} sends is not valid yet."),
            "Install the intermediate certificate your provider currently lists, and check \
                 that the server's clock is right.",
        ),
        CertificateError::Expired
        | CertificateError::ExpiredContext { .. }
        | CertificateError::NotValidYet
        | CertificateError::NotValidYetContext { .. } => None,
        CertificateError::BadSignature
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => plain(
            &format!("The certificate {host} presents carries a signature browsers reject."),
            "Get a new certificate from a public authority (Let's Encrypt is free) and install it \
             with its full chain.",
        ),
        CertificateError::Revoked => plain(
            &format!("The certificate {host} presents has been revoked by its issuer."),
            "Get a new certificate and install it now; a revoked one is refused by browsers.",
        ),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => plain(
            &format!("The certificate {host} presents is not meant for websites."),
            "Use a certificate issued for web servers (TLS server authentication), such as one \
             from Let's Encrypt.",
        ),
        CertificateError::BadEncoding => plain(
            &format!("The certificate {host} presents is malformed."),
            "Reinstall the certificate and its chain exactly as your provider issued them.",
        ),
        _ => plain(
            &format!("Browsers would reject the certificate {host} presents."),
            "Get a new certificate from a public authority (Let's Encrypt is free) and install it \
             with its full chain.",
        ),
    }
}

fn trust_finding(host: &str, leaf: &CertInfo, sent: &[CertInfo]) -> Finding {
    if leaf.self_signed {
        return Finding::fail(
            format!("{host} uses a self-signed certificate, so browsers warn visitors away."),
            "Replace the self-signed certificate with one from a public authority: Let's Encrypt \
             is free, and most hosts and CDNs issue one automatically."
                .to_string(),
        );
    }
    // Servers normally send every certificate between the leaf and a root; when the leaf's
    // issuer is not among them, the missing intermediate is the likely cause.
    let issuer_sent = sent.iter().any(|c| c.subject == leaf.issuer);
    if !issuer_sent {
        return Finding::fail(
            format!(
                "{host} does not send the intermediate certificate, so many browsers and apps \
                 cannot trust it."
            ),
            format!(
                "Install the full chain (the intermediate certificate) on the server: configure \
                 the 'full chain' file your provider gives you (fullchain.pem for Let's \
                 Encrypt), not the certificate alone; the missing one is {}.",
                leaf.issuer_name
            ),
        );
    }
    let top = top_of_chain(leaf, sent);
    Finding::fail(
        format!("{host}'s certificate is issued by an authority browsers do not trust ({top})."),
        "Use a certificate from a public authority browsers trust (Let's Encrypt is free), not a \
         private or company-internal one."
            .to_string(),
    )
}

fn expiry_finding(host: &str, leaf: &CertInfo, now: i64, days_left: i64) -> Finding {
    let renew = "Renew the certificate now and install the new one (Let's Encrypt renews \
                 automatically when its renewal job, such as certbot's timer or your host's \
                 auto-renew, is running: check that it has not stopped).";
    if now < leaf.not_before {
        return Finding::fail(
            format!(
                "The certificate for {host} is not valid until {}, so browsers refuse it.",
                date(leaf.not_before)
            ),
            "Install the certificate that is valid today, and check that the clock of the \
             machine that issued this one is right."
                .to_string(),
        );
    }
    if now >= leaf.not_after {
        return Finding::fail(
            format!(
                "The certificate for {host} expired {} (on {}), so browsers refuse it.",
                ago(now.saturating_sub(leaf.not_after)),
                date(leaf.not_after)
            ),
            renew.to_string(),
        );
    }
    let when = format!("in {} (on {})", plural(days_left, "day"), date(leaf.not_after));
    if days_left < FAIL_DAYS {
        return Finding::fail(
            format!("The certificate for {host} expires {when}; renew it now."),
            renew.to_string(),
        );
    }
    if days_left < WARN_DAYS {
        return Finding {
            status: Status::Warn,
            summary: format!("The certificate for {host} expires {when}."),
            fix: Some(
                "Renew the certificate soon. With Let's Encrypt, automatic renewal normally \
                 happens 30 days before expiry, so check that the renewal job is running."
                    .to_string(),
            ),
        };
    }
    Finding {
        status: Status::Pass,
        summary: format!(
            "The certificate for {host} is valid, {} left, issued by {}.",
            plural(days_left, "day"),
            leaf.issuer_name
        ),
        fix: None,
    }
}

fn certificate_words(leaf: &CertInfo) -> String {
    let mut words = leaf.subject.clone();
    if !leaf.sans.is_empty() {
        let _ = write!(words, "; names: {}", names_list(&leaf.sans));
    }
    words
}

/// The first names, then "+N more".
fn names_list(names: &[String]) -> String {
    if names.is_empty() {
        return "no names at all".to_string();
    }
    let mut list = names.iter().take(SHOWN_NAMES).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN_NAMES {
        let _ = write!(list, " +{} more", names.len() - SHOWN_NAMES);
    }
    list
}

/// The leaf, then each issuer found in what was sent, ending with the first one not sent.
fn issuer_chain(leaf: &CertInfo, sent: &[CertInfo]) -> String {
    let path = walk(leaf, sent);
    let mut names: Vec<String> = path.iter().map(|c| c.subject_name.clone()).collect();
    if let Some(top) = path.last().filter(|top| !top.self_signed) {
        names.push(format!("{} (not sent)", top.issuer_name));
    }
    names.join(" → ")
}

/// The name of the authority at the top of the sent chain.
fn top_of_chain(leaf: &CertInfo, sent: &[CertInfo]) -> String {
    match walk(leaf, sent).last() {
        Some(top) if top.self_signed => top.subject_name.clone(),
        Some(top) => top.issuer_name.clone(),
        None => leaf.issuer_name.clone(),
    }
}

/// From the leaf up through the sent certificates, following issuer names (in any order).
fn walk<'a>(leaf: &'a CertInfo, sent: &'a [CertInfo]) -> Vec<&'a CertInfo> {
    let mut path = vec![leaf];
    let mut current = leaf;
    // One step per sent certificate at most, so a chain that loops still ends.
    for _ in 0..sent.len() {
        if current.self_signed {
            break;
        }
        let Some(next) = sent
            .iter()
            .find(|c| c.subject == current.issuer && !std::ptr::eq(*c, current))
        else {
            break;
        };
        path.push(next);
        current = next;
    }
    path
}

fn problem_evidence(problems: &[Error]) -> Vec<Evidence> {
    problems
        .iter()
        .map(|p| Evidence::new("problem", one_line(&p.to_string())))
        .collect()
}

fn is_name_problem(error: &Error) -> bool {
    matches!(
        error,
        Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. })
    )
}

/// `secs` ago in words: "3 days ago", "less than a day ago".
fn ago(secs: i64) -> String {
    let days = secs.div_euclid(DAY_SECS);
    if days < 1 {
        "less than a day ago".to_string()
    } else {
        format!("{} ago", plural(days, "day"))
    }
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Unix seconds as YYYY-MM-DD (UTC).
fn date(secs: i64) -> String {
    match ASN1Time::from_timestamp(secs) {
        Ok(t) => {
            let d = t.to_datetime().date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        }
        Err(_) => "an unreadable date".to_string(),
    }
}

/// `at` as Unix seconds, saturating instead of failing far from 1970.
pub(crate) fn unix_seconds(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Text from a certificate made safe for one evidence line: no control characters, capped.
fn one_line(text: &str) -> String {
    let mut line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_VALUE)
        .collect();
    if text.chars().count() > MAX_VALUE {
        line.push('…');
    }
    line
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rustls::pki_types::ServerName;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::probe::web::mint::{self, Authority, LeafSpec};

    const HOST: &str = "shop.example";

    /// A root, an intermediate under it, and the root store that trusts the root.
    fn pki() -> (Authority, Authority, Arc<RootCertStore>) {
        let root = Authority::new("Practice Root").unwrap();
        let intermediate = root.intermediate("Practice Intermediate").unwrap();
        let store = roots(&[root.der()]);
        (root, intermediate, store)
    }

    /// Runs the chain through a real `verify_server_cert` and returns what was recorded.
    fn verify(store: &Arc<RootCertStore>, host: &str, chain: &[CertificateDer<'_>]) -> Vec<Error> {
        let recording = Recording::new(store.clone());
        let name = ServerName::try_from(host.to_string()).unwrap();
        let (leaf, rest) = chain.split_first().unwrap();
        let verdict = recording.verify_server_cert(leaf, rest, &name, &[], UnixTime::now());
        assert!(verdict.is_ok(), "the handshake must never be aborted");
        recording.problems()
    }

    fn check(store: &Arc<RootCertStore>, host: &str, chain: &[CertificateDer<'_>]) -> (Vec<Error>, Verdict) {
        let problems = verify(store, host, chain);
        let verdict = judge(host, chain, &problems, SystemTime::now());
        (problems, verdict)
    }

    fn evidence<'a>(verdict: &'a Verdict, label: &str) -> &'a str {
        verdict.evidence.iter().find(|e| e.label == label).map_or_else(
            || panic!("no evidence {label:?} in {:?}", verdict.evidence),
            |e| e.value.as_str(),
        )
    }

    #[test]
    fn a_valid_chain_to_a_trusted_root_passes() {
        let (_root, intermediate, store) = pki();
        let leaf = intermediate.issue(&LeafSpec::new([HOST])).unwrap();
        let (problems, verdict) = check(&store, HOST, &leaf.chain);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(verdict.status, Status::Pass, "{verdict:?}");
        assert!(verdict.summary.contains(HOST));
        assert!(verdict.summary.contains("days left"), "{}", verdict.summary);
        assert!(verdict.summary.contains("Practice Intermediate"));
        assert_eq!(verdict.fix, None);
        assert_eq!(
            evidence(&verdict, "issuer chain"),
            "shop.example → Practice Intermediate → Practice Root (not sent)"
        );
        assert_eq!(evidence(&verdict, "key"), "ECDSA P-256");
        assert!(evidence(&verdict, &format!("certificate {HOST}")).contains("names: shop.example"));
    }

    #[test]
    fn an_expired_certificate_fails_with_the_days_since() {
        let (_root, intermediate, store) = pki();
        let leaf = intermediate.issue(&LeafSpec::new([HOST]).expired()).unwrap();
        let (problems, verdict) = check(&store, HOST, &leaf.chain);
        assert!(
            problems.iter().any(|p| matches!(
                p,
                Error::InvalidCertificate(CertificateError::Expired | CertificateError::ExpiredContext { .. })
            )),
            "{problems:?}"
        );
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("expired 3 days ago"), "{}", verdict.summary);
        assert!(verdict.fix.as_deref().unwrap().starts_with("Renew the certificate now"));
        assert!(evidence(&verdict, "days left").contains("expired"));
        assert!(evidence(&verdict, "problem").contains("expired"));
    }

    #[test]
    fn a_certificate_not_valid_yet_fails() {
        let (_root, intermediate, store) = pki();
        let leaf = intermediate.issue(&LeafSpec::new([HOST]).not_yet_valid()).unwrap();
        let (problems, verdict) = check(&store, HOST, &leaf.chain);
        assert!(!problems.is_empty());
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("not valid until"), "{}", verdict.summary);
        assert_eq!(evidence(&verdict, "days left"), "not valid yet");
    }

    #[test]
    fn a_self_signed_certificate_fails_as_self_signed() {
        let (_root, _intermediate, store) = pki();
        let leaf = mint::self_signed(&LeafSpec::new([HOST])).unwrap();
        let (problems, verdict) = check(&store, HOST, &leaf.chain);
        assert!(
            problems.contains(&Error::InvalidCertificate(CertificateError::UnknownIssuer)),
            "{problems:?}"
        );
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("self-signed"), "{}", verdict.summary);
        assert!(verdict.summary.contains(HOST));
        assert_eq!(evidence(&verdict, "issuer chain"), "shop.example");
    }

    #[test]
    fn a_certificate_for_another_name_fails_listing_its_names() {
        let (_root, intermediate, store) = pki();
        let leaf = intermediate
            .issue(&LeafSpec::new(["other.example", "www.other.example"]))
            .unwrap();
        let (problems, verdict) = check(&store, HOST, &leaf.chain);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(is_name_problem(&problems[0]));
        assert_eq!(verdict.status, Status::Fail);
        assert!(
            verdict.summary.contains("other.example, www.other.example"),
            "{}",
            verdict.summary
        );
        assert!(
            verdict
                .fix
                .as_deref()
                .unwrap()
                .starts_with("Use a certificate that names shop.example")
        );
    }

    #[test]
    fn a_trust_problem_does_not_hide_a_wrong_name() {
        let (_root, _intermediate, store) = pki();
        let leaf = mint::self_signed(&LeafSpec::new(["other.example"])).unwrap();
        let (problems, verdict) = check(&store, HOST, &leaf.chain);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(is_name_problem));
        assert_eq!(verdict.status, Status::Fail);
        let fix = verdict.fix.unwrap();
        assert!(
            fix.contains("self-signed") && fix.contains("names shop.example"),
            "{fix}"
        );
    }

    #[test]
    fn a_chain_sent_without_its_intermediate_fails_as_missing_intermediate() {
        let (_root, intermediate, store) = pki();
        let spec = LeafSpec::new([HOST]).without_intermediate();
        let leaf = intermediate.issue(&spec).unwrap();
        assert_eq!(leaf.chain.len(), 1);
        let (problems, verdict) = check(&store, HOST, &leaf.chain);
        assert!(problems.contains(&Error::InvalidCertificate(CertificateError::UnknownIssuer)));
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("intermediate"), "{}", verdict.summary);
        let fix = verdict.fix.clone().unwrap();
        assert!(fix.starts_with("Install the full chain (the intermediate certificate)"));
        assert!(fix.contains("Practice Intermediate"), "{fix}");
        assert_eq!(
            evidence(&verdict, "issuer chain"),
            "shop.example → Practice Intermediate (not sent)"
        );
    }

    #[test]
    fn a_complete_chain_from_an_unknown_authority_fails_as_untrusted() {
        let (_root, intermediate, _store) = pki();
        let leaf = intermediate.issue(&LeafSpec::new([HOST])).unwrap();
        // Mozilla's roots only: the practice root is not among them.
        let (problems, verdict) = check(&roots(&[]), HOST, &leaf.chain);
        assert!(problems.contains(&Error::InvalidCertificate(CertificateError::UnknownIssuer)));
        assert_eq!(verdict.status, Status::Fail);
        assert!(
            verdict
                .summary
                .contains("an authority browsers do not trust (Practice Root)"),
            "{}",
            verdict.summary
        );
    }

    #[test]
    fn days_left_decide_between_fail_warn_and_pass() {
        let (_root, intermediate, store) = pki();
        for (days, status) in [(10, Status::Fail), (20, Status::Warn), (60, Status::Pass)] {
            let now = SystemTime::now();
            let leaf = intermediate
                .issue(&LeafSpec::at([HOST], now).valid_days_left(days))
                .unwrap();
            let problems = verify(&store, HOST, &leaf.chain);
            assert!(problems.is_empty(), "{days} days: {problems:?}");
            let verdict = judge(HOST, &leaf.chain, &problems, now);
            assert_eq!(verdict.status, status, "{days} days: {verdict:?}");
            assert!(verdict.summary.contains(&format!("{days} days")), "{}", verdict.summary);
        }
    }

    #[test]
    fn fourteen_days_left_warns_and_a_second_less_fails() {
        let (_root, intermediate, _store) = pki();
        let leaf = intermediate.issue(&LeafSpec::new([HOST])).unwrap();
        let not_after = describe(&leaf.chain[0]).unwrap().not_after;
        let at = |secs: i64| UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap());
        let fourteen = not_after - 14 * DAY_SECS;
        assert_eq!(judge(HOST, &leaf.chain, &[], at(fourteen)).status, Status::Warn);
        assert_eq!(judge(HOST, &leaf.chain, &[], at(fourteen + 1)).status, Status::Fail);
        let thirty = not_after - 30 * DAY_SECS;
        assert_eq!(judge(HOST, &leaf.chain, &[], at(thirty)).status, Status::Pass);
        assert_eq!(judge(HOST, &leaf.chain, &[], at(thirty + 1)).status, Status::Warn);
        assert_eq!(judge(HOST, &leaf.chain, &[], at(not_after)).status, Status::Fail);
    }

    #[test]
    fn garbage_is_an_error_verdict_not_a_panic() {
        let garbage = [
            CertificateDer::from(Vec::new()),
            CertificateDer::from(vec![0x30, 0x82, 0xff, 0xff, 0x01]),
            CertificateDer::from(b"-----BEGIN CERTIFICATE-----".to_vec()),
        ];
        let store = roots(&[]);
        for der in garbage {
            assert!(describe(&der).is_err());
            let chain = [der];
            let (problems, verdict) = check(&store, HOST, &chain);
            assert!(!problems.is_empty());
            assert_eq!(verdict.status, Status::Error, "{verdict:?}");
            assert!(verdict.summary.contains(HOST));
        }
        assert_eq!(judge(HOST, &[], &[], SystemTime::now()).status, Status::Error);
    }

    #[test]
    fn describe_reads_names_key_and_authority() {
        let (root, _intermediate, _store) = pki();
        let info = describe(&root.der()).unwrap();
        assert!(info.is_ca && info.self_signed);
        assert_eq!(info.subject, "CN=Practice Root");
        assert_eq!(info.subject_name, "Practice Root");
        let leaf = root.issue(&LeafSpec::new([HOST, "127.0.0.1"])).unwrap();
        let info = describe(&leaf.chain[0]).unwrap();
        assert!(!info.is_ca && !info.self_signed);
        assert_eq!(info.sans, [HOST, "127.0.0.1"]);
        assert_eq!(info.issuer_name, "Practice Root");
        assert_eq!(info.key, "ECDSA P-256");
        assert_eq!(info.not_after - info.not_before, 90 * DAY_SECS);
    }

    #[test]
    fn long_name_lists_are_cut_and_dates_are_plain() {
        let names: Vec<String> = (0..13).map(|n| format!("n{n}.example")).collect();
        let list = names_list(&names);
        assert!(list.starts_with("n0.example, n1.example"));
        assert!(list.ends_with("n9.example +3 more"), "{list}");
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_772_323_200), "2026-03-01");
        assert_eq!(one_line("a\nb\u{7}c"), "a b c");
    }

    #[tokio::test]
    async fn a_handshake_with_an_expired_certificate_completes_and_records_it() {
        let (_root, intermediate, store) = pki();
        let leaf = intermediate.issue(&LeafSpec::new([HOST]).expired()).unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(mint::server_config(&leaf).unwrap());
        let recording = Recording::new(store);
        let config = client_config(
            recording.clone(),
            &[&rustls::version::TLS13, &rustls::version::TLS12],
            &[b"http/1.1"],
        )
        .unwrap();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);

        let server = async move {
            let mut tls = acceptor.accept(server_io).await?;
            tls.write_all(b"hello").await?;
            tls.shutdown().await
        };
        let client = async move {
            let name = ServerName::try_from(HOST).unwrap();
            let mut tls = connector.connect(name, client_io).await?;
            let chain = tls.get_ref().1.peer_certificates().unwrap_or_default().to_vec();
            let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
            let mut greeting = Vec::new();
            tls.read_to_end(&mut greeting).await?;
            std::io::Result::Ok((chain, alpn, greeting))
        };
        let (serving, reading) = tokio::time::timeout(Duration::from_secs(30), async { tokio::join!(server, client) })
            .await
            .expect("the handshake finished");
        serving.unwrap();
        let (chain, alpn, greeting) = reading.unwrap();

        assert_eq!(chain, leaf.chain, "the whole chain is readable after the handshake");
        assert_eq!(chain.len(), 2);
        assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert_eq!(greeting, b"hello");
        let problems = recording.problems();
        assert!(
            problems.iter().any(|p| matches!(
                p,
                Error::InvalidCertificate(CertificateError::Expired | CertificateError::ExpiredContext { .. })
            )),
            "{problems:?}"
        );
        let verdict = judge(HOST, &chain, &problems, SystemTime::now());
        assert_eq!(verdict.status, Status::Fail);
    }
}
