//! The whole email probe of one domain against the loopback DNS server: wall time and queries,
//! concurrent (as `probe email` runs) against the same checks run one after another.
//!
//! Run: `cargo bench --bench email`. The server delays each answer by 5 ms, like a nearby
//! resolver, so the figures show what running lookups in parallel saves.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::dns::{Zone, serve};
use launchready::probe::dns::Dns;
use launchready::probe::email::{self, EmailOptions};
use launchready::probe::{ProbeCtx, dkim, dmarc, spf};

const RUNS: u32 = 10;

fn zone(domain: &str) -> Zone {
    let mut z = Zone::new();
    z.delay(Duration::from_millis(5))
        .mx(domain, 1, "mx1.mailhost.example")
        .a("mx1.mailhost.example", "192.0.2.25")
        .txt(
            domain,
            &["v=spf1 include:_spf.mailhost.example include:_spf.crm.example ~all"],
        )
        .txt(
            "_spf.mailhost.example",
            &["v=spf1 ip4:192.0.2.0/24 include:_netblocks.mailhost.example -all"],
        )
        .txt("_netblocks.mailhost.example", &["v=spf1 ip4:198.51.100.0/24 -all"])
        .txt("_spf.crm.example", &["v=spf1 a:relay.crm.example -all"])
        .a("relay.crm.example", "203.0.113.7")
        .txt(
            &format!("google._domainkey.{domain}"),
            &[&format!("v=DKIM1; k=rsa; p={}", common::rsa_spki_base64(2048))],
        )
        .txt(
            &format!("_dmarc.{domain}"),
            &["v=DMARC1; p=quarantine; rua=mailto:reports@dmarc-vendor.example"],
        )
        .txt(&format!("{domain}._report._dmarc.dmarc-vendor.example"), &["v=DMARC1"])
        .caa_issue(domain, "letsencrypt.org");
    z
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let domain = "acme.example";
        let server = serve(zone(domain)).await;
        let ctx = ProbeCtx {
            resolver: Some(server.addr),
            timeout: Duration::from_secs(2),
            attempts: 2,
            ..ProbeCtx::default()
        };
        let options = EmailOptions::default();

        // Warm up once (sockets, first allocations).
        let _ = email::check(domain, &Dns::new(&ctx).unwrap(), &options).await;

        let (mut concurrent, mut queries) = (Duration::ZERO, 0);
        for _ in 0..RUNS {
            let dns = Dns::new(&ctx).unwrap(); // a fresh cache each run
            let started = Instant::now();
            let results = email::check(domain, &dns, &options).await;
            concurrent += started.elapsed();
            queries = dns.queries();
            assert_eq!(results.len(), 5);
        }

        let mut sequential = Duration::ZERO;
        for _ in 0..RUNS {
            let dns = Dns::new(&ctx).unwrap();
            let started = Instant::now();
            let _ = email::check_mx(domain, &dns).await;
            let _ = spf::check(domain, &dns).await;
            let _ = dkim::check(domain, &[], &dns).await;
            let _ = dmarc::check(domain, &dns, None).await;
            let _ = email::check_caa(domain, &dns).await;
            sequential += started.elapsed();
        }

        let per = |d: Duration| d.as_secs_f64() * 1000.0 / f64::from(RUNS);
        println!("email probe of one domain, loopback DNS with 5 ms per answer, {RUNS} runs each");
        println!("  queries per run:              {queries}");
        println!("  concurrent (as probe email):  {:>8.1} ms per run", per(concurrent));
        println!("  the five checks one by one:   {:>8.1} ms per run", per(sequential));
        println!(
            "  speed-up from concurrency:    {:>8.1}x",
            sequential.as_secs_f64() / concurrent.as_secs_f64()
        );
        println!(
            "  serial floor (queries x 5 ms):{:>8.1} ms",
            f64::from(u32::try_from(queries).unwrap_or(u32::MAX)) * 5.0
        );
    });
}
