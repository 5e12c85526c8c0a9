//! Certificates made on this machine, for the practice target (`launchready demo`, at start-up)
//! and the tests: a private [`Authority`] (root, optionally an intermediate under it), server
//! certificates ([`Leaf`]) described by a [`LeafSpec`] (names, validity, whether the chain is
//! sent), and a rustls [`server_config`] that serves them. Nothing here is trusted by anyone
//! until the authority's certificate is handed to the client as an extra root (`--ca-file`).
//!
//! Keys are ECDSA P-256: quick to generate, so minting at start-up costs nothing noticeable.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use x509_parser::time::ASN1Time;

use super::cert::unix_seconds;

const DAY: Duration = Duration::from_secs(86_400);

/// A private certificate authority: its certificate and signing key.
pub struct Authority {
    params: CertificateParams,
    key: KeyPair,
    cert: rcgen::Certificate,
    /// Certificates a server sends above its leaf: this authority's own certificate and those
    /// above it, up to (not including) the root. Empty for a root.
    chain: Vec<CertificateDer<'static>>,
}

impl Authority {
    /// A new root authority named `name`, valid from a year ago until twenty years from now.
    pub fn new(name: &str) -> Result<Authority, String> {
        let now = SystemTime::now();
        let params = ca_params(name, now, BasicConstraints::Unconstrained)?;
        let key = new_key()?;
        let cert = params
            .self_signed(&key)
            .map_err(|e| format!("could not sign the root certificate: {e}"))?;
        Ok(Authority {
            params,
            key,
            cert,
            chain: Vec::new(),
        })
    }

    /// An intermediate authority named `name`, signed by this one.
    pub fn intermediate(&self, name: &str) -> Result<Authority, String> {
        let now = SystemTime::now();
        let mut params = ca_params(name, now, BasicConstraints::Constrained(0))?;
        params.use_authority_key_identifier_extension = true;
        let key = new_key()?;
        let cert = params
            .signed_by(&key, &self.issuer())
            .map_err(|e| format!("could not sign the intermediate certificate: {e}"))?;
        let mut chain = vec![cert.der().clone()];
        chain.extend(self.chain.iter().cloned());
        Ok(Authority {
            params,
            key,
            cert,
            chain,
        })
    }

    /// This authority's certificate (DER).
    pub fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    /// This authority's certificate as PEM, the form `--ca-file` reads.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A server certificate for `spec`, signed by this authority.
    pub fn issue(&self, spec: &LeafSpec) -> Result<Leaf, String> {
        let (mut params, key) = leaf_params(spec)?;
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &self.issuer())
            .map_err(|e| format!("could not sign the server certificate: {e}"))?;
        let mut chain = vec![cert.der().clone()];
        if spec.include_chain {
            chain.extend(self.chain.iter().cloned());
        }
        Ok(Leaf {
            chain,
            key: pkcs8(&key),
        })
    }

    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

/// A server certificate with its key: what a TLS server needs.
pub struct Leaf {
    /// The leaf first, then the intermediates when the spec asked for them.
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

/// What a server certificate should look like.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// DNS names, or IP addresses such as "127.0.0.1" (which become IP names).
    names: Vec<String>,
    not_before: SystemTime,
    not_after: SystemTime,
    /// Whether the server sends the intermediates after the leaf.
    include_chain: bool,
    /// The moment the relative setters count from.
    now: SystemTime,
}

impl LeafSpec {
    /// A certificate for `names`, valid from a day ago for 90 days, sent with its chain.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>) -> LeafSpec {
        LeafSpec::at(names, SystemTime::now())
    }

    /// Like [`LeafSpec::new`], counting from `now` instead of the clock.
    pub fn at<S: Into<String>>(names: impl IntoIterator<Item = S>, now: SystemTime) -> LeafSpec {
        LeafSpec {
            names: names.into_iter().map(Into::into).collect(),
            not_before: before(now, 1),
            not_after: after(now, 89),
            include_chain: true,
            now,
        }
    }

    /// Valid from a day ago until `days` days from now.
    #[must_use]
    pub fn valid_days_left(mut self, days: u64) -> LeafSpec {
        self.not_before = before(self.now, 1);
        self.not_after = after(self.now, days);
        self
    }

    /// Expired three days ago, after 90 days of validity.
    #[must_use]
    pub fn expired(mut self) -> LeafSpec {
        self.not_before = before(self.now, 93);
        self.not_after = before(self.now, 3);
        self
    }

    /// Valid only from five days from now.
    #[must_use]
    pub fn not_yet_valid(mut self) -> LeafSpec {
        self.not_before = after(self.now, 5);
        self.not_after = after(self.now, 95);
        self
    }

    /// Exactly these validity dates.
    #[must_use]
    pub fn valid_between(mut self, not_before: SystemTime, not_after: SystemTime) -> LeafSpec {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    /// The server sends the leaf alone, as a misconfigured server does.
    #[must_use]
    pub fn without_intermediate(mut self) -> LeafSpec {
        self.include_chain = false;
        self
    }
}

/// A self-signed server certificate for `spec` (no authority vouches for it).
pub fn self_signed(spec: &LeafSpec) -> Result<Leaf, String> {
    let (params, key) = leaf_params(spec)?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("could not sign the self-signed certificate: {e}"))?;
    Ok(Leaf {
        chain: vec![cert.der().clone()],
        key: pkcs8(&key),
    })
}

/// A rustls server configuration serving `leaf` over TLS 1.2 and 1.3 with ALPN http/1.1.
pub fn server_config(leaf: &Leaf) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
        .map_err(|e| format!("could not set the TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(leaf.chain.clone(), leaf.key.clone_key())
        .map_err(|e| format!("could not load the server certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn new_key() -> Result<KeyPair, String> {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|e| format!("could not generate a key: {e}"))
}

fn pkcs8(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}

fn ca_params(name: &str, now: SystemTime, constraints: BasicConstraints) -> Result<CertificateParams, String> {
    let mut params = CertificateParams::default();
    params.distinguished_name = common_name(name);
    params.is_ca = IsCa::Ca(constraints);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = asn1_time(before(now, 365))?.to_datetime();
    params.not_after = asn1_time(after(now, 20 * 365))?.to_datetime();
    Ok(params)
}

fn leaf_params(spec: &LeafSpec) -> Result<(CertificateParams, KeyPair), String> {
    let mut params =
        CertificateParams::new(spec.names.clone()).map_err(|e| format!("not a usable certificate name: {e}"))?;
    let name = spec.names.first().map_or("launchready practice", String::as_str);
    params.distinguished_name = common_name(name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = asn1_time(spec.not_before)?.to_datetime();
    params.not_after = asn1_time(spec.not_after)?.to_datetime();
    Ok((params, new_key()?))
}

fn common_name(name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    dn
}

/// A certificate date for rcgen, through x509-parser's conversion (range-checked, no panic;
/// both crates share one `time`).
fn asn1_time(at: SystemTime) -> Result<ASN1Time, String> {
    ASN1Time::from_timestamp(unix_seconds(at)).map_err(|_| "a certificate date out of range".to_string())
}

fn before(now: SystemTime, days: u64) -> SystemTime {
    now.checked_sub(DAY.saturating_mul(u32::try_from(days).unwrap_or(u32::MAX)))
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

fn after(now: SystemTime, days: u64) -> SystemTime {
    now.checked_add(DAY.saturating_mul(u32::try_from(days).unwrap_or(u32::MAX)))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{ServerName, UnixTime};

    use super::*;
    use crate::probe::web::cert::{Recording, roots};

    fn problems(authority: &Authority, host: &str, leaf: &Leaf) -> Vec<rustls::Error> {
        let recording = Recording::new(roots(&[authority.der()]));
        let name = ServerName::try_from(host.to_string()).unwrap();
        let (end_entity, rest) = leaf.chain.split_first().unwrap();
        recording
            .verify_server_cert(end_entity, rest, &name, &[], UnixTime::now())
            .unwrap();
        recording.problems()
    }

    #[test]
    fn a_minted_chain_verifies_with_the_authority_as_extra_root() {
        let root = Authority::new("Mint Root").unwrap();
        let intermediate = root.intermediate("Mint Intermediate").unwrap();
        let leaf = intermediate.issue(&LeafSpec::new(["demo.example"])).unwrap();
        assert_eq!(leaf.chain.len(), 2, "leaf and intermediate");
        assert_eq!(problems(&root, "demo.example", &leaf), []);
        // Signed straight by the root, a leaf needs no intermediate.
        let direct = root.issue(&LeafSpec::new(["demo.example"])).unwrap();
        assert_eq!(direct.chain.len(), 1);
        assert_eq!(problems(&root, "demo.example", &direct), []);
    }

    #[test]
    fn an_ip_address_name_becomes_an_ip_san() {
        let root = Authority::new("Mint Root").unwrap();
        let leaf = root.issue(&LeafSpec::new(["127.0.0.1"])).unwrap();
        assert_eq!(problems(&root, "127.0.0.1", &leaf), []);
        assert_eq!(problems(&root, "127.0.0.2", &leaf).len(), 1);
    }

    #[test]
    fn the_authority_pem_round_trips_as_ca_file_reads_it() {
        let root = Authority::new("Mint Root").unwrap();
        let pem = root.pem();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let read = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        assert_eq!(read, root.der());
    }

    #[test]
    fn spec_setters_move_the_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let secs = |t: SystemTime| unix_seconds(t) - 1_800_000_000;
        let spec = LeafSpec::at(["a.example"], now);
        assert_eq!((secs(spec.not_before), secs(spec.not_after)), (-86_400, 89 * 86_400));
        let spec = spec.valid_days_left(10);
        assert_eq!(secs(spec.not_after), 10 * 86_400);
        let expired = LeafSpec::at(["a.example"], now).expired();
        assert!(secs(expired.not_after) < 0);
        let early = LeafSpec::at(["a.example"], now).not_yet_valid();
        assert!(secs(early.not_before) > 0);
        assert!(!LeafSpec::at(["a.example"], now).without_intermediate().include_chain);
    }

    #[test]
    fn an_unusable_name_is_an_error() {
        let root = Authority::new("Mint Root").unwrap();
        assert!(root.issue(&LeafSpec::new(["bücher.example"])).is_err());
    }

    #[test]
    fn the_server_config_offers_http1() {
        let leaf = self_signed(&LeafSpec::new(["demo.example"])).unwrap();
        let config = server_config(&leaf).unwrap();
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
    }
}
