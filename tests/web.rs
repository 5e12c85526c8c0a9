//! The web edge checks against servers started here on loopback: HTTPS with certificates made at
//! test time (valid, expired, not yet valid, self-signed, wrong name, missing intermediate,
//! expiring soon), plain-HTTP redirectors (right, temporary, to another host, none, in a loop),
//! header sets that pass and fail, a server that still speaks TLS 1.0, hostile servers (hang,
//! drip, endless head or body, garbage instead of TLS), a cacheable private route, mixed content
//! and a dangling CNAME answered with a hosting service's "no such site" page.
//!
//! Names like `acme.example` reach the test servers through `--connect-to` rules, and every name
//! lookup goes to the loopback DNS fixture: nothing leaves the machine.

mod common;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use common::dns::{self, DnsServer, Zone};
use common::web::{self, Answer, Pages, Server};
use launchready::checklist::Catalog;
use launchready::probe::api::Tokens;
use launchready::probe::engine::{self, Env, Progress};
use launchready::probe::net::ConnectTo;
use launchready::probe::registry;
use launchready::probe::web::mint::{Authority, LeafSpec, self_signed, server_config};
use launchready::probe::{ProbeCtx, ProbeResult, Status};
use launchready::target::TargetFile;

const SITE: [&str; 2] = ["acme.example", "www.acme.example"];

/// A world of test servers reached by name.
struct World {
    ca: Authority,
    dns: DnsServer,
    rules: Vec<ConnectTo>,
    servers: Vec<Server>,
}

impl World {
    async fn new(zone: Zone) -> World {
        World {
            ca: Authority::new("Launchready Test CA").unwrap(),
            dns: dns::serve(zone).await,
            rules: Vec::new(),
            servers: Vec::new(),
        }
    }

    async fn plain() -> World {
        World::new(Zone::new()).await
    }

    /// Sends `host:port` to `server`.
    fn route(&mut self, hosts: &[&str], port: u16, server: Server) {
        for host in hosts {
            self.rules.push(ConnectTo {
                host: (*host).to_string(),
                port,
                to: server.addr,
            });
        }
        self.servers.push(server);
    }

    /// An HTTPS server for `hosts` on 443 with a certificate from the test CA.
    async fn https(&mut self, hosts: &[&str], pages: Pages) {
        let leaf = self.ca.issue(&LeafSpec::new(hosts.iter().copied())).unwrap();
        let server = web::serve(pages, Some(server_config(&leaf).unwrap())).await;
        self.route(hosts, 443, server);
    }

    /// A plain-HTTP server for `hosts` on 80.
    async fn http(&mut self, hosts: &[&str], pages: Pages) {
        let server = web::serve(pages, None).await;
        self.route(hosts, 80, server);
    }

    fn ctx(&self) -> ProbeCtx {
        ProbeCtx {
            resolver: Some(self.dns.addr),
            timeout: Duration::from_secs(2),
            attempts: 1,
            connect_to: self.rules.clone(),
            extra_roots: vec![self.ca.der()],
            ..ProbeCtx::default()
        }
    }

    async fn run(&self, target: &TargetFile, id: &str) -> ProbeResult {
        run_with(&self.ctx(), target, id, Tokens::default()).await
    }
}

async fn run_with(ctx: &ProbeCtx, target: &TargetFile, id: &str, tokens: Tokens) -> ProbeResult {
    let catalog = Catalog::builtin().unwrap();
    let env = Env::new(ctx, target, catalog.get("b2b-service").unwrap(), Some(tokens));
    let check = registry::find(id).unwrap();
    // Each request has a 2 s deadline; no check may take long however the server behaves.
    tokio::time::timeout(
        Duration::from_secs(60),
        engine::run_one(check, target, &env, &Progress::silent(check.id)),
    )
    .await
    .unwrap_or_else(|_| panic!("{id} did not finish in bounded time"))
}

fn target(lines: &str) -> TargetFile {
    let text = format!("[product]\nname = \"Acme\"\nvertical = \"b2b-service\"\n[target]\n{lines}\n");
    TargetFile::parse("t.toml", &text, &["b2b-service"]).unwrap()
}

fn site() -> TargetFile {
    target("app_url = \"https://acme.example/\"")
}

fn said(r: &ProbeResult) -> String {
    let mut text = format!("{} | {}", r.summary, r.fix.clone().unwrap_or_default());
    for e in &r.evidence {
        let _ = write!(text, "\n{}: {}", e.label, e.value);
    }
    text
}

fn assert_status(r: &ProbeResult, status: Status) {
    assert_eq!(r.status, status, "{}: {}", r.id, said(r));
}

const GOOD_HEADERS: [(&str, &str); 5] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("strict-transport-security", "max-age=31536000; includeSubDomains"),
    ("permissions-policy", "camera=(), microphone=()"),
];

fn good_page(body: &str) -> Answer {
    GOOD_HEADERS.iter().fold(Answer::ok(body), |a, (k, v)| a.header(k, v))
}

// --- certificates -----------------------------------------------------------------------------

async fn certificate_of(spec: LeafSpec, chain_from: Option<&str>) -> ProbeResult {
    let mut world = World::plain().await;
    let leaf = match chain_from {
        Some("self") => self_signed(&spec).unwrap(),
        Some(name) => world.ca.intermediate(name).unwrap().issue(&spec).unwrap(),
        None => world.ca.issue(&spec).unwrap(),
    };
    let server = web::serve(
        Pages::new().otherwise(good_page("hi")),
        Some(server_config(&leaf).unwrap()),
    )
    .await;
    world.route(&["acme.example"], 443, server);
    world.run(&site(), "tls.certificate").await
}

#[tokio::test]
async fn a_valid_certificate_passes_with_its_details() {
    let r = certificate_of(LeafSpec::new(SITE), None).await;
    assert_status(&r, Status::Pass);
    let text = said(&r);
    assert!(text.contains("acme.example"), "{text}");
    assert!(text.contains("Launchready Test CA"), "the issuer is shown: {text}");
    assert!(text.contains("ECDSA"), "the key is shown: {text}");
    // www has no address here: noted, not a failure.
    assert!(text.contains("www.acme.example"), "{text}");
}

#[tokio::test]
async fn expired_and_not_yet_valid_certificates_fail() {
    let r = certificate_of(LeafSpec::new(SITE).expired(), None).await;
    assert_status(&r, Status::Fail);
    assert!(said(&r).to_lowercase().contains("expired"), "{}", said(&r));
    let r = certificate_of(LeafSpec::new(SITE).not_yet_valid(), None).await;
    assert_status(&r, Status::Fail);
    assert!(
        said(&r).to_lowercase().contains("not valid until") || said(&r).to_lowercase().contains("not yet valid"),
        "{}",
        said(&r)
    );
}

#[tokio::test]
async fn untrusted_and_misnamed_certificates_fail() {
    let r = certificate_of(LeafSpec::new(SITE), Some("self")).await;
    assert_status(&r, Status::Fail);
    assert!(said(&r).to_lowercase().contains("self-signed"), "{}", said(&r));
    let r = certificate_of(LeafSpec::new(["other.example"]), None).await;
    assert_status(&r, Status::Fail);
    assert!(
        said(&r).contains("other.example"),
        "the names it does cover are shown: {}",
        said(&r)
    );
    let r = certificate_of(LeafSpec::new(SITE).without_intermediate(), Some("Test Intermediate")).await;
    assert_status(&r, Status::Fail);
    assert!(said(&r).to_lowercase().contains("intermediate"), "{}", said(&r));
}

#[tokio::test]
async fn certificates_about_to_expire_fail_or_warn() {
    let r = certificate_of(LeafSpec::new(SITE).valid_days_left(10), None).await;
    assert_status(&r, Status::Fail);
    let r = certificate_of(LeafSpec::new(SITE).valid_days_left(20), None).await;
    assert_status(&r, Status::Warn);
    let r = certificate_of(LeafSpec::new(SITE).valid_days_left(60), None).await;
    assert_status(&r, Status::Pass);
}

#[tokio::test]
async fn the_http_checks_still_run_on_a_bad_certificate() {
    let mut world = World::plain().await;
    let leaf = self_signed(&LeafSpec::new(SITE)).unwrap();
    let server = web::serve(
        Pages::new().otherwise(Answer::ok("<p>hi</p>").header("x-content-type-options", "nosniff")),
        Some(server_config(&leaf).unwrap()),
    )
    .await;
    world.route(&["acme.example"], 443, server);
    let r = world.run(&site(), "http.security_headers").await;
    // Judged on its headers (no CSP, no framing protection), not turned into an error.
    assert_status(&r, Status::Fail);
    assert!(said(&r).contains("nosniff"), "{}", said(&r));
}

// --- protocols --------------------------------------------------------------------------------

/// An HTTPS server that also still answers a TLS 1.0 `ClientHello` (as old servers do): a legacy
/// hello (`client_version` 1.0 or 1.1) gets a TLS 1.0 `ServerHello`, anything else rustls.
async fn legacy_and_modern(config: Arc<rustls::ServerConfig>) -> Server {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let mut head = [0u8; 11];
                let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(2), stream.peek(&mut head)).await else {
                    return;
                };
                if n >= 11 && head[0] == 0x16 && head[9] == 3 && head[10] <= 2 {
                    let mut buf = [0u8; 2048];
                    let _ = stream.read(&mut buf).await;
                    let mut hello = vec![2, 0, 0, 38, 3, 1];
                    hello.extend([7u8; 32]);
                    hello.extend([0, 0x00, 0x2f, 0]);
                    let mut record = vec![0x16, 3, 1, 0, u8::try_from(hello.len()).unwrap()];
                    record.extend(hello);
                    let _ = stream.write_all(&record).await;
                } else if let Ok(tls) = acceptor.accept(stream).await {
                    drop(tls);
                }
            });
        }
    });
    Server {
        addr,
        seen: Arc::default(),
        task,
    }
}

#[tokio::test]
async fn tls_versions_modern_only_pass_and_legacy_warns() {
    let mut world = World::plain().await;
    world
        .https(&["acme.example"], Pages::new().otherwise(good_page("hi")))
        .await;
    let r = world.run(&site(), "tls.protocols").await;
    assert_status(&r, Status::Pass);
    let text = said(&r);
    assert!(
        text.contains("TLS 1.3 accepted") && text.contains("TLS 1.2 accepted"),
        "{text}"
    );
    assert!(
        text.contains("TLS 1.0 refused") && text.contains("TLS 1.1 refused"),
        "{text}"
    );

    let mut world = World::plain().await;
    let leaf = world.ca.issue(&LeafSpec::new(SITE)).unwrap();
    let server = legacy_and_modern(server_config(&leaf).unwrap()).await;
    world.route(&["acme.example"], 443, server);
    let r = world.run(&site(), "tls.protocols").await;
    assert_status(&r, Status::Warn);
    assert!(r.summary.contains("TLS 1.0"), "{}", said(&r));
}

// --- redirects --------------------------------------------------------------------------------

async fn redirects(plain: Pages, secure: Pages) -> ProbeResult {
    let mut world = World::plain().await;
    world.http(&SITE, plain).await;
    world.https(&SITE, secure).await;
    world.run(&site(), "http.https_redirect").await
}

fn canonical() -> Pages {
    Pages::new()
        .at("www.acme.example/", Answer::redirect(301, "https://acme.example/"))
        .otherwise(good_page("home"))
}

#[tokio::test]
async fn permanent_redirects_to_one_origin_pass() {
    let r = redirects(
        Pages::new().otherwise(Answer::redirect(301, "https://acme.example/")),
        canonical(),
    )
    .await;
    assert_status(&r, Status::Pass);
    let text = said(&r);
    assert!(
        text.contains("http://www.acme.example/ → 301 https://acme.example/"),
        "each hop shown: {text}"
    );
}

#[tokio::test]
async fn a_temporary_redirect_warns() {
    let r = redirects(
        Pages::new().otherwise(Answer::redirect(302, "https://acme.example/")),
        canonical(),
    )
    .await;
    assert_status(&r, Status::Warn);
    assert!(r.summary.contains("temporary"), "{}", said(&r));
}

#[tokio::test]
async fn no_redirect_a_loop_or_another_host_fail() {
    let r = redirects(Pages::new().otherwise(Answer::ok("plain")), canonical()).await;
    assert_status(&r, Status::Fail);
    assert!(r.summary.contains("plain HTTP"), "{}", said(&r));

    let looping = Pages::new()
        .at("acme.example/", Answer::redirect(301, "http://www.acme.example/"))
        .at("www.acme.example/", Answer::redirect(301, "http://acme.example/"));
    let r = redirects(looping, canonical()).await;
    assert_status(&r, Status::Fail);
    assert!(r.summary.contains("loop"), "{}", said(&r));

    // A redirect to a new address every time, forever: stopped after ten.
    let r = redirects(Pages::new().otherwise(Answer::redirect(301, "a/")), canonical()).await;
    assert_status(&r, Status::Fail);
    assert!(r.summary.contains("10 times"), "{}", said(&r));

    let r = redirects(
        Pages::new().otherwise(Answer::redirect(301, "https://elsewhere.example/")),
        canonical(),
    )
    .await;
    assert_status(&r, Status::Fail);
    assert!(r.summary.contains("elsewhere.example"), "{}", said(&r));

    // Two names that end at two different HTTPS origins.
    let split = Pages::new()
        .at("acme.example/", Answer::redirect(301, "https://acme.example/"))
        .at("www.acme.example/", Answer::redirect(301, "https://www.acme.example/"));
    let r = redirects(split, Pages::new().otherwise(good_page("home"))).await;
    assert_status(&r, Status::Fail);
    assert!(r.summary.contains("different places"), "{}", said(&r));
}

// --- headers, HSTS, cookies -------------------------------------------------------------------

async fn app_with(answer: Answer) -> World {
    let mut world = World::plain().await;
    world.https(&["acme.example"], Pages::new().otherwise(answer)).await;
    world
}

#[tokio::test]
async fn security_headers_pass_and_fail_by_rule() {
    let world = app_with(good_page("<p>hi</p>")).await;
    assert_status(&world.run(&site(), "http.security_headers").await, Status::Pass);

    let weak = Answer::ok("<p>hi</p>")
        .header(
            "content-security-policy",
            "script-src 'self' 'unsafe-inline'; frame-ancestors 'self'",
        )
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer");
    let r = app_with(weak).await.run(&site(), "http.security_headers").await;
    assert_status(&r, Status::Warn);
    assert!(said(&r).contains("unsafe-inline"), "{}", said(&r));

    let leaky = good_page("<p>hi</p>")
        .header("server", "nginx/1.18.0")
        .header("x-powered-by", "PHP/8.1.2");
    let r = app_with(leaky).await.run(&site(), "http.security_headers").await;
    assert_status(&r, Status::Warn);
    assert!(said(&r).contains("nginx/1.18.0"), "{}", said(&r));

    let bare = Answer::ok("<p>hi</p>");
    let r = app_with(bare).await.run(&site(), "http.security_headers").await;
    assert_status(&r, Status::Fail);
    assert!(
        said(&r).contains("X-Content-Type-Options") || said(&r).contains("nosniff"),
        "{}",
        said(&r)
    );
}

#[tokio::test]
async fn hsts_needs_half_a_year() {
    let world = app_with(good_page("hi")).await;
    let r = world.run(&site(), "http.hsts").await;
    assert_status(&r, Status::Pass);
    assert!(said(&r).contains("includeSubDomains"), "{}", said(&r));

    let short = Answer::ok("hi").header("strict-transport-security", "max-age=3600");
    assert_status(&app_with(short).await.run(&site(), "http.hsts").await, Status::Fail);
    let none = Answer::ok("hi");
    assert_status(&app_with(none).await.run(&site(), "http.hsts").await, Status::Fail);
}

#[tokio::test]
async fn session_cookies_need_their_flags_and_values_never_show() {
    let safe = good_page("hi").header(
        "set-cookie",
        "session=s3cr3t-cookie-value; Secure; HttpOnly; SameSite=Lax; Path=/",
    );
    assert_status(&app_with(safe).await.run(&site(), "http.cookies").await, Status::Pass);

    let unsafe_cookie = good_page("hi").header("set-cookie", "session=s3cr3t-cookie-value; Path=/");
    let r = app_with(unsafe_cookie).await.run(&site(), "http.cookies").await;
    assert_status(&r, Status::Fail);
    assert!(said(&r).contains("session"), "{}", said(&r));
    assert!(
        !said(&r).contains("s3cr3t-cookie-value"),
        "a cookie value is a secret: {}",
        said(&r)
    );

    let none = good_page("hi");
    assert_status(
        &app_with(none).await.run(&site(), "http.cookies").await,
        Status::Skipped,
    );
}

// --- mixed content ----------------------------------------------------------------------------

#[tokio::test]
async fn mixed_content_is_found_in_the_page_and_its_styles() {
    let page = r#"<html><head><link rel="stylesheet" href="/site.css"><script src="/app.js"></script></head>
        <body><img src="/logo.png"></body></html>"#;
    let mut world = World::plain().await;
    world
        .https(
            &["acme.example"],
            Pages::new()
                .at(
                    "/site.css",
                    Answer::ok("body { background: url(https://cdn.example/bg.png) }")
                        .header("content-type", "text/css"),
                )
                .at(
                    "/app.js",
                    Answer::ok("fetch('/api/x')").header("content-type", "text/javascript"),
                )
                .otherwise(good_page(page)),
        )
        .await;
    let r = world.run(&site(), "http.mixed_content").await;
    assert_status(&r, Status::Pass);
    assert!(
        r.summary.contains("2 of its own"),
        "both assets were read: {}",
        said(&r)
    );

    let mut world = World::plain().await;
    world
        .https(
            &["acme.example"],
            Pages::new()
                .at(
                    "/site.css",
                    Answer::ok("@import 'http://fonts.plain.example/f.css';").header("content-type", "text/css"),
                )
                .otherwise(good_page(
                    r#"<link rel="stylesheet" href="/site.css"><img src="http://img.plain.example/a.png">"#,
                )),
        )
        .await;
    let r = world.run(&site(), "http.mixed_content").await;
    assert_status(&r, Status::Fail);
    let text = said(&r);
    assert!(text.contains("http://fonts.plain.example/f.css"), "{text}");
    assert!(text.contains("http://img.plain.example/a.png"), "{text}");
}

// --- private caching --------------------------------------------------------------------------

async fn private_route(answer: Answer) -> ProbeResult {
    let mut world = World::plain().await;
    world
        .https(
            &["api.acme.example"],
            Pages::new().at("/api/me", answer).otherwise(Answer::status(404)),
        )
        .await;
    let target = target(
        "api_base = \"https://api.acme.example\"\nprivate_routes = [{ method = \"GET\", path = \"/api/me\" }]\n[auth]\ntoken_a_env = \"T_A\"",
    );
    let tokens = Tokens {
        a: Some("token-of-account-a-1234".into()),
        ..Tokens::default()
    };
    run_with(&world.ctx(), &target, "edge.private_cache", tokens).await
}

#[tokio::test]
async fn a_cacheable_private_answer_fails() {
    let json = |cc: &str| {
        Answer::ok("{\"email\":\"a@acme.example\"}")
            .header("content-type", "application/json")
            .header("cache-control", cc)
    };
    let r = private_route(json("public, max-age=600")).await;
    assert_status(&r, Status::Fail);
    assert!(said(&r).contains("public"), "{}", said(&r));
    assert!(!said(&r).contains("token-of-account-a-1234"), "{}", said(&r));

    let hit = json("private, no-store").header("cf-cache-status", "HIT");
    assert_status(&private_route(hit).await, Status::Fail);

    assert_status(&private_route(json("private, no-store")).await, Status::Pass);
}

// --- subdomains and the edge ------------------------------------------------------------------

#[tokio::test]
async fn a_dangling_cname_to_a_hosting_service_fails() {
    let mut zone = Zone::new();
    zone.a("acme.example", "127.0.0.1")
        .cname("staging.acme.example", "acme-staging.herokuapp.com")
        .a("acme-staging.herokuapp.com", "127.0.0.1")
        .cname("old.acme.example", "acme-old.azurewebsites.net");
    let mut world = World::new(zone).await;
    world
        .https(&["acme.example"], Pages::new().otherwise(good_page("home")))
        .await;
    let heroku = Pages::new().otherwise(Answer {
        status: 404,
        headers: vec![("content-type".into(), "text/html".into())],
        body: b"<html><body><h1>No such app</h1></body></html>".to_vec(),
    });
    world.http(&["staging.acme.example"], heroku.clone()).await;
    world.https(&["staging.acme.example"], heroku).await;
    let r = world.run(&target("domain = \"acme.example\""), "dns.subdomains").await;
    assert_status(&r, Status::Fail);
    let text = said(&r);
    assert!(
        text.contains("staging.acme.example") && text.contains("Heroku"),
        "{text}"
    );
    assert!(
        text.contains("old.acme.example"),
        "the alias to a missing Azure name is found too: {text}"
    );
}

#[tokio::test]
async fn subdomains_of_a_tidy_domain_pass() {
    let mut zone = Zone::new();
    zone.a("acme.example", "127.0.0.1").a("www.acme.example", "127.0.0.1");
    let mut world = World::new(zone).await;
    world.https(&SITE, canonical()).await;
    let r = world.run(&target("domain = \"acme.example\""), "dns.subdomains").await;
    assert_status(&r, Status::Pass);
    assert!(said(&r).contains("www.acme.example"), "{}", said(&r));
}

#[tokio::test]
async fn the_edge_is_recognised_by_its_headers_and_names() {
    let behind = good_page("hi")
        .header("server", "cloudflare")
        .header("cf-ray", "8a1b2c3d4e5f-AMS");
    let r = app_with(behind).await.run(&site(), "edge.cdn").await;
    assert_status(&r, Status::Pass);
    assert!(r.summary.contains("Cloudflare"), "{}", said(&r));

    let r = app_with(good_page("hi").header("server", "nginx"))
        .await
        .run(&site(), "edge.cdn")
        .await;
    assert_status(&r, Status::Fail);

    let mut zone = Zone::new();
    zone.cname("acme.example", "acme.example.cdn.cloudflare.net")
        .a("acme.example.cdn.cloudflare.net", "127.0.0.1");
    let mut world = World::new(zone).await;
    world
        .https(&["acme.example"], Pages::new().otherwise(good_page("hi")))
        .await;
    let r = world.run(&site(), "edge.cdn").await;
    assert_status(&r, Status::Pass);
    assert!(said(&r).contains("cdn.cloudflare.net"), "{}", said(&r));
}

// --- hostile servers --------------------------------------------------------------------------

async fn against(server: Server, id: &str) -> ProbeResult {
    let mut world = World::plain().await;
    world.route(&["acme.example"], 443, server);
    world.run(&site(), id).await
}

#[tokio::test]
async fn hostile_servers_end_as_errors_in_bounded_time() {
    for (name, id) in [
        ("hang", "tls.certificate"),
        ("hang", "http.security_headers"),
        ("garbage", "tls.certificate"),
        ("garbage", "tls.protocols"),
        ("garbage", "http.hsts"),
    ] {
        let server = if name == "hang" {
            web::hang().await
        } else {
            web::garbage().await
        };
        let r = against(server, id).await;
        assert_status(&r, Status::Error);
        assert!(!r.summary.is_empty(), "{name} {id}");
    }
}

#[tokio::test]
async fn dripping_endless_and_huge_answers_are_errors() {
    let ca = Authority::new("Hostile CA").unwrap();
    let _ = ca;
    for (name, server) in [
        ("drip", web::drip().await),
        ("endless body", web::endless_body().await),
        ("endless head", web::endless_head().await),
    ] {
        let mut world = World::plain().await;
        world.route(&["acme.example"], 80, server);
        let r = world
            .run(&target("app_url = \"http://acme.example/\""), "http.security_headers")
            .await;
        assert_status(&r, Status::Error);
        assert!(
            said(&r).contains("could not be read") || said(&r).contains("within"),
            "{name}: {}",
            said(&r)
        );
    }
}

// --- the practice target ----------------------------------------------------------------------

/// `launchready demo`'s HTTPS side: the flawed flavour fails the web checks it gets wrong on
/// purpose, the good one passes every one, with the demo's CA trusted as the demo does.
#[tokio::test]
async fn the_practice_target_shows_the_web_checks() {
    use launchready::demo::{self, Flavour};
    let dns = dns::serve(Zone::new()).await;
    let tokens = Tokens {
        a: Some(demo::TOKEN_A.into()),
        b: Some(demo::TOKEN_B.into()),
        low: Some(demo::TOKEN_LOW.into()),
        ..Default::default()
    };
    let ids = [
        "tls.certificate",
        "tls.protocols",
        "http.https_redirect",
        "http.hsts",
        "http.security_headers",
        "http.cookies",
        "http.mixed_content",
        "edge.cdn",
        "edge.private_cache",
    ];
    for (flavour, expected) in [
        (
            Flavour::Flawed,
            [
                Status::Warn,
                Status::Pass,
                Status::Fail,
                Status::Fail,
                Status::Fail,
                Status::Fail,
                Status::Fail,
                Status::Fail,
                Status::Fail,
            ],
        ),
        (Flavour::Good, [Status::Pass; 9]),
    ] {
        let server = demo::start(flavour).await.unwrap();
        let ctx = demo::probe_ctx(
            &server,
            ProbeCtx {
                resolver: Some(dns.addr),
                timeout: Duration::from_secs(3),
                ..ProbeCtx::default()
            },
        );
        let target = demo::target_file(&server);
        for (id, status) in ids.iter().zip(expected) {
            let r = run_with(&ctx, &target, id, tokens.clone()).await;
            assert_eq!(r.status, status, "{} {id}: {}", flavour.label(), said(&r));
        }
    }
}
