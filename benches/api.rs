//! The full API probe against the practice target, in requests and wall time: all ten checks as
//! the engine runs them (`probe api`, `scan` and the wizard: ordinary checks together within the
//! per-host limit, then the latency sample, then the burst) against the same checks one after
//! another in that order.
//!
//! Run: `cargo bench --bench api`. The flawed flavour answers chat slowly (about 650 ms) on
//! purpose, so its figures are dominated by the latency sample and the rate-limit burst.

use std::time::{Duration, Instant};

use launchready::demo::{self, Flavour};
use launchready::probe::ProbeCtx;
use launchready::probe::api::{self, ApiOptions, Tokens};
use launchready::probe::http::Http;
use launchready::probe::registry::{self, Family};

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let tokens = Tokens { a: Some(demo::TOKEN_A.into()), b: Some(demo::TOKEN_B.into()), low: Some(demo::TOKEN_LOW.into()), ..Default::default() };
        let ctx = ProbeCtx { timeout: Duration::from_secs(5), ..ProbeCtx::default() };
        let options = ApiOptions::default();
        println!("API probe of the practice target (10 checks, active probing allowed, max 60 requests per burst)");
        for flavour in [Flavour::Good, Flavour::Flawed] {
            // A fresh server per run, so rate-limit windows start empty.
            let server = demo::start(flavour).await.unwrap();
            let target = demo::target_file(&server);
            let http = Http::new(&ctx, &target).unwrap();
            let started = Instant::now();
            let results = api::check_all(&target, &tokens, &http, &options).await;
            let concurrent = started.elapsed();
            let requests = http.requests();
            drop(server);

            let server = demo::start(flavour).await.unwrap();
            let target = demo::target_file(&server);
            let http = Http::new(&ctx, &target).unwrap();
            let started = Instant::now();
            // In the engine's order (ordinary checks, then the latency sample, then the burst),
            // so the burst does not fill the rate limit the sample needs.
            let mut checks: Vec<_> = registry::CHECKS.iter().filter(|c| c.family == Family::Api).collect();
            checks.sort_by_key(|c| c.traffic);
            for check in checks {
                let _ = api::check(check.id, &target, &tokens, &http, &options).await;
            }
            let sequential = started.elapsed();
            drop(server);

            let failed = results.iter().filter(|r| r.status == launchready::probe::Status::Fail).count();
            println!("  {:<7} {requests:>4} requests  concurrent {:>7.0} ms  one by one {:>7.0} ms  ({:.1}x)  {failed} checks fail",
                flavour.label(), concurrent.as_secs_f64() * 1000.0, sequential.as_secs_f64() * 1000.0,
                sequential.as_secs_f64() / concurrent.as_secs_f64());
        }
    });
}
