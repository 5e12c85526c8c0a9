//! The email and DNS probes against a DNS server started inside the test on loopback.

mod common;

use std::time::Duration;

use common::dns::{Zone, serve};
use launchready::probe::ProbeCtx;
use launchready::probe::dns::{Answer, Dns, DnsError, Resolve};

fn ctx(addr: std::net::SocketAddr) -> ProbeCtx {
    ProbeCtx {
        resolver: Some(addr),
        timeout: Duration::from_millis(400),
        attempts: 2,
    }
}

#[tokio::test]
async fn the_resolver_reads_records_and_tells_absence_from_failure() {
    let mut zone = Zone::new();
    zone.txt("acme.example", &["v=spf1 -all", "hello"])
        .txt_parts(
            "multi.acme.example",
            &["v=spf1 include:a.example ", "include:b.example -all"],
        )
        .mx("acme.example", 10, "mx1.acme.example")
        .a("mx1.acme.example", "192.0.2.10")
        .a("mx1.acme.example", "2001:db8::10")
        .servfail("broken.acme.example");
    // A record too big for UDP arrives over TCP.
    let big = format!(
        "v=spf1 {} -all",
        (0..60)
            .map(|i| format!("ip4:198.51.100.{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    zone.txt("big.acme.example", &[&big, &big]);
    let server = serve(zone).await;
    let dns = Dns::new(&ctx(server.addr)).unwrap();

    let txt = dns.txt("acme.example").await.unwrap().records();
    assert_eq!(txt.len(), 2);
    assert!(txt.contains(&"v=spf1 -all".to_string()));
    assert_eq!(
        dns.txt("multi.acme.example").await.unwrap(),
        Answer::Found(vec![
            "v=spf1 include:a.example include:b.example -all".to_string()
        ])
    );
    assert_eq!(
        dns.mx("acme.example").await.unwrap(),
        Answer::Found(vec![(10, "mx1.acme.example".to_string())])
    );
    assert_eq!(
        dns.addresses("mx1.acme.example")
            .await
            .unwrap()
            .records()
            .len(),
        2
    );
    assert_eq!(dns.txt("nothing.example").await.unwrap(), Answer::NxDomain);
    assert_eq!(
        dns.mx("multi.acme.example").await.unwrap(),
        Answer::NoRecords
    );
    assert_eq!(
        dns.txt("broken.acme.example").await,
        Err(DnsError::ServFail)
    );
    assert_eq!(
        dns.txt("big.acme.example").await.unwrap().records(),
        vec![big.clone(), big]
    );
    assert!(
        server
            .queries()
            .iter()
            .any(|(n, _)| n == "big.acme.example")
    );
}

#[tokio::test]
async fn a_server_that_never_answers_is_an_error_within_the_timeout() {
    let mut zone = Zone::new();
    zone.silent_all();
    let server = serve(zone).await;
    let dns = Dns::new(&ctx(server.addr)).unwrap();
    // The resolver's own timeout ends the query; the outer bound only guards against a hang.
    let answer = tokio::time::timeout(Duration::from_secs(60), dns.txt("acme.example")).await;
    assert_eq!(
        answer.expect("the query ended on its own timeout"),
        Err(DnsError::Timeout)
    );
}
