//! `probe tls` + `probe http` over ten loopback sites, in connections made and wall time: each
//! site's checks as the engine runs them (together, at most eight at a time, pages shared
//! between checks) against the same checks one after another, in the same run.
//!
//! Each site has a name (`siteN.bench.example`) with HTTPS and plain HTTP on their own loopback
//! servers (reached through `--connect-to` rules), a certificate from a CA made here, a loopback
//! DNS server for the name lookups, and a redirect from plain HTTP to HTTPS.
//!
//! The sites have no CDN in front, so `edge.cdn` fails on each; every other check passes.
//!
//! Run: `cargo bench --bench web`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::dns::{self, Zone};
use common::web::{self, Answer, Pages, Server};
use launchready::checklist::Catalog;
use launchready::probe::api::Tokens;
use launchready::probe::engine::{self, Env, Progress};
use launchready::probe::net::ConnectTo;
use launchready::probe::registry::{self, Check, Runner};
use launchready::probe::web::mint::{Authority, LeafSpec, server_config};
use launchready::probe::{ProbeCtx, Status};
use launchready::target::TargetFile;

const SITES: usize = 10;

fn page() -> Answer {
    Answer::ok(r#"<html><head><link rel="stylesheet" href="/a.css"><script src="/a.js"></script></head><body>hi</body></html>"#)
        .header("content-security-policy", "default-src 'self'; frame-ancestors 'none'")
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "strict-origin-when-cross-origin")
        .header("strict-transport-security", "max-age=31536000; includeSubDomains")
        .header("set-cookie", "session=x; Secure; HttpOnly; SameSite=Lax; Path=/")
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ca = Authority::new("Bench CA").unwrap();
        let mut zone = Zone::new();
        let mut rules = Vec::new();
        let mut servers: Vec<Server> = Vec::new();
        let mut targets = Vec::new();
        for n in 0..SITES {
            let apex = format!("site{n}.bench.example");
            let www = format!("www.{apex}");
            zone.a(&apex, "127.0.0.1");
            let leaf = ca.issue(&LeafSpec::new([apex.clone(), www.clone()])).unwrap();
            let pages = Pages::new()
                .at("/a.css", Answer::ok("body{}").header("content-type", "text/css"))
                .at(
                    "/a.js",
                    Answer::ok("fetch('/api')").header("content-type", "text/javascript"),
                )
                .at(&format!("{www}/"), Answer::redirect(301, &format!("https://{apex}/")))
                .otherwise(page());
            let https = web::serve(pages, Some(server_config(&leaf).unwrap())).await;
            let http = web::serve(
                Pages::new().otherwise(Answer::redirect(301, &format!("https://{apex}/"))),
                None,
            )
            .await;
            for host in [&apex, &www] {
                rules.push(ConnectTo {
                    host: host.clone(),
                    port: 443,
                    to: https.addr,
                });
                rules.push(ConnectTo {
                    host: host.clone(),
                    port: 80,
                    to: http.addr,
                });
            }
            servers.push(https);
            servers.push(http);
            let text = format!(
                "[product]\nname = \"Site {n}\"\nvertical = \"b2b-service\"\n[target]\napp_url = \"https://{apex}/\"\n"
            );
            targets.push(TargetFile::parse("t.toml", &text, &["b2b-service"]).unwrap());
        }
        let dns = dns::serve(zone).await;
        let ctx = ProbeCtx {
            resolver: Some(dns.addr),
            timeout: Duration::from_secs(5),
            attempts: 1,
            connect_to: rules,
            extra_roots: vec![ca.der()],
            ..ProbeCtx::default()
        };
        let catalog = Catalog::builtin().unwrap();
        let checklist = catalog.get("b2b-service").unwrap();
        // What `probe tls` and `probe http` run (no private routes here: edge.private_cache is
        // not configured).
        let checks: Vec<&'static Check> = registry::CHECKS
            .iter()
            .filter(|c| matches!(c.run, Runner::Web(_)))
            .collect();
        println!(
            "probe tls + probe http over {SITES} loopback sites ({} checks each)",
            checks.len()
        );

        let run = |concurrent: bool| {
            let (ctx, targets, checks) = (&ctx, &targets, &checks);
            async move {
                let mut connections = 0;
                let mut failed: Vec<String> = Vec::new();
                let started = Instant::now();
                for target in targets {
                    let env = Env::new(ctx, target, checklist, Some(Tokens::default()));
                    let results = if concurrent {
                        engine::run_all(target, &env, checks, None).await
                    } else {
                        let mut out = Vec::new();
                        for check in checks.iter().copied() {
                            out.push(engine::run_one(check, target, &env, &Progress::silent(check.id)).await);
                        }
                        out
                    };
                    connections += env.web.connections();
                    for r in results
                        .iter()
                        .filter(|r| matches!(r.status, Status::Fail | Status::Error))
                    {
                        if !failed.contains(&r.id) {
                            failed.push(r.id.clone());
                        }
                    }
                }
                (started.elapsed(), connections, failed)
            }
        };
        // Warm up once (certificates parsed, sockets, allocations).
        let _ = run(true).await;
        let (one_by_one, c1, f1) = run(false).await;
        let (together, c2, f2) = run(true).await;
        println!(
            "  one check after another  {:>7.0} ms  {c1:>4} connections  not passing: {}",
            one_by_one.as_secs_f64() * 1000.0,
            f1.join(", ")
        );
        println!(
            "  engine (concurrent)      {:>7.0} ms  {c2:>4} connections  not passing: {}",
            together.as_secs_f64() * 1000.0,
            f2.join(", ")
        );
        println!(
            "  ratio                    {:.2}x faster together",
            one_by_one.as_secs_f64() / together.as_secs_f64()
        );
        drop(servers);
    });
}
