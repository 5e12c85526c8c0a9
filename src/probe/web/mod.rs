//! The web edge probes: certificates, TLS versions, HTTPS redirects, HSTS, security headers,
//! cookies, the CDN edge, private caching, mixed content and stale subdomains.

pub mod cert;
pub mod edge_data;
pub mod headers;
pub mod legacy;
pub mod mint;
