//! A DNS server for tests, on loopback: zones built in the test, served over UDP and TCP on one
//! port, with names that answer SERVFAIL or never answer, and a log of the queries received.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, CAA, CNAME, MX, SOA, TXT};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// The records a test server serves. Names are case-insensitive, with or without a final dot.
#[derive(Default, Clone)]
pub struct Zone {
    records: HashMap<(String, RecordType), Vec<RData>>,
    servfail: HashSet<String>,
    silent: HashSet<String>,
    silent_all: bool,
    delay: std::time::Duration,
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn name(n: &str) -> Name {
    Name::from_ascii(format!("{}.", key(n))).expect("a valid test name")
}

impl Zone {
    pub fn new() -> Zone {
        Zone::default()
    }

    fn add(&mut self, n: &str, kind: RecordType, data: RData) -> &mut Zone {
        self.records.entry((key(n), kind)).or_default().push(data);
        self
    }

    /// One TXT record per string (long strings are split into 255-byte character-strings).
    pub fn txt(&mut self, n: &str, records: &[&str]) -> &mut Zone {
        for r in records {
            let parts: Vec<&[u8]> = r.as_bytes().chunks(255).collect();
            self.add(
                n,
                RecordType::TXT,
                RData::TXT(TXT::from_bytes(if parts.is_empty() { vec![b""] } else { parts })),
            );
        }
        self
    }

    /// Replaces the TXT records of a name.
    pub fn set_txt(&mut self, n: &str, records: &[&str]) -> &mut Zone {
        self.records.remove(&(key(n), RecordType::TXT));
        self.txt(n, records)
    }

    /// One TXT record made of several character-strings, exactly as given.
    pub fn txt_parts(&mut self, n: &str, parts: &[&str]) -> &mut Zone {
        let parts: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
        self.add(n, RecordType::TXT, RData::TXT(TXT::from_bytes(parts)))
    }

    pub fn mx(&mut self, n: &str, preference: u16, exchange: &str) -> &mut Zone {
        let exchange = if exchange == "." { Name::root() } else { name(exchange) };
        self.add(n, RecordType::MX, RData::MX(MX::new(preference, exchange)))
    }

    pub fn a(&mut self, n: &str, ip: &str) -> &mut Zone {
        match ip.parse::<IpAddr>().expect("an IP address") {
            IpAddr::V4(v4) => self.add(n, RecordType::A, RData::A(A(v4))),
            IpAddr::V6(v6) => self.add(n, RecordType::AAAA, RData::AAAA(AAAA(v6))),
        }
    }

    /// `n` is an alias of `target` (as the big mail and hosting providers publish them). A
    /// query of another type for `n` is answered as a recursive server does: the CNAME, then the
    /// target's records of that type when the zone has them, NXDOMAIN when the target does not
    /// exist.
    pub fn cname(&mut self, n: &str, target: &str) -> &mut Zone {
        self.add(n, RecordType::CNAME, RData::CNAME(CNAME(name(target))))
    }

    /// A CAA `issue` record for `issuer`.
    pub fn caa_issue(&mut self, n: &str, issuer: &str) -> &mut Zone {
        self.add(
            n,
            RecordType::CAA,
            RData::CAA(CAA::new_issue(false, Some(name(issuer)), vec![])),
        )
    }

    /// Every query for this name answers SERVFAIL.
    pub fn servfail(&mut self, n: &str) -> &mut Zone {
        self.servfail.insert(key(n));
        self
    }

    /// Queries for this name are never answered.
    pub fn silent(&mut self, n: &str) -> &mut Zone {
        self.silent.insert(key(n));
        self
    }

    /// Every answer is sent this long after the query, as over a real network.
    pub fn delay(&mut self, delay: std::time::Duration) -> &mut Zone {
        self.delay = delay;
        self
    }

    /// The server never answers anything.
    pub fn silent_all(&mut self) -> &mut Zone {
        self.silent_all = true;
        self
    }

    fn exists(&self, n: &str) -> bool {
        let suffix = format!(".{n}");
        self.records.keys().any(|(k, _)| k == n || k.ends_with(&suffix))
    }

    /// The response to `query`, or `None` to stay silent.
    fn answer(&self, query: &Message) -> Option<Message> {
        let q = query.queries.first()?;
        let asked = key(&q.name().to_ascii());
        if self.silent_all || self.silent.contains(&asked) {
            return None;
        }
        let mut response = Message::new(query.metadata.id, MessageType::Response, query.metadata.op_code);
        response.metadata.recursion_desired = query.metadata.recursion_desired;
        response.metadata.recursion_available = true;
        response.metadata.authoritative = true;
        response.add_query(q.clone());
        if self.servfail.contains(&asked) {
            response.metadata.response_code = ResponseCode::ServFail;
            return Some(response);
        }
        // Follow aliases within the zone, as a recursive server would (at most 8 links).
        let mut at = asked.clone();
        let mut owner = q.name().clone();
        for _ in 0..8 {
            if q.query_type() == RecordType::CNAME || self.records.contains_key(&(at.clone(), q.query_type())) {
                break;
            }
            let Some(RData::CNAME(target)) = self
                .records
                .get(&(at.clone(), RecordType::CNAME))
                .and_then(|d| d.first())
            else {
                break;
            };
            response.add_answer(Record::from_rdata(owner.clone(), 300, RData::CNAME(target.clone())));
            owner = target.0.clone();
            at = key(&target.0.to_ascii());
        }
        if let Some(data) = self.records.get(&(at.clone(), q.query_type())) {
            for d in data {
                response.add_answer(Record::from_rdata(owner.clone(), 300, d.clone()));
            }
        } else if at != asked {
            response.metadata.response_code = if self.exists(&at) {
                ResponseCode::NoError
            } else {
                ResponseCode::NXDomain
            };
        } else {
            response.metadata.response_code = if self.exists(&asked) {
                ResponseCode::NoError
            } else {
                ResponseCode::NXDomain
            };
            let soa = SOA::new(name("ns.test"), name("hostmaster.test"), 1, 3600, 600, 86400, 60);
            response.add_authority(Record::from_rdata(Name::root(), 60, RData::SOA(soa)));
        }
        Some(response)
    }
}

/// A running test DNS server; stops when dropped.
pub struct DnsServer {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<(String, RecordType)>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl DnsServer {
    /// The (name, type) of every query received, in order.
    pub fn queries(&self) -> Vec<(String, RecordType)> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn handle(zone: &Zone, log: &Mutex<Vec<(String, RecordType)>>, bytes: &[u8], udp: bool) -> Option<Vec<u8>> {
    let query = Message::from_vec(bytes).ok()?;
    if let Some(q) = query.queries.first() {
        log.lock().unwrap().push((key(&q.name().to_ascii()), q.query_type()));
    }
    let response = zone.answer(&query)?;
    let bytes = response.to_vec().ok()?;
    // Classic UDP size limit: longer answers are truncated so the client retries over TCP.
    if udp && bytes.len() > 1232 {
        let mut truncated = response.truncate();
        truncated.metadata.truncation = true;
        return truncated.to_vec().ok();
    }
    Some(bytes)
}

/// Serves `zone` on 127.0.0.1 (UDP and TCP, one port).
pub async fn serve(zone: Zone) -> DnsServer {
    let zone = Arc::new(zone);
    let log = Arc::new(Mutex::new(Vec::new()));
    // Find a port free for both UDP and TCP.
    let (udp, tcp) = loop {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let port = udp.local_addr().unwrap().port();
        if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)).await {
            break (udp, tcp);
        }
    };
    let addr = udp.local_addr().unwrap();
    let mut tasks = Vec::new();
    {
        let (zone, log) = (zone.clone(), log.clone());
        let udp = Arc::new(udp);
        tasks.push(tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok((n, peer)) = udp.recv_from(&mut buf).await {
                if let Some(reply) = handle(&zone, &log, &buf[..n], true) {
                    let (udp, delay) = (udp.clone(), zone.delay);
                    // Each answer on its own task, so a delay does not queue the others.
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        let _ = udp.send_to(&reply, peer).await;
                    });
                }
            }
        }));
    }
    {
        let (zone, log) = (zone.clone(), log.clone());
        tasks.push(tokio::spawn(async move {
            while let Ok((mut stream, _)) = tcp.accept().await {
                let (zone, log) = (zone.clone(), log.clone());
                tokio::spawn(async move {
                    loop {
                        let mut len = [0u8; 2];
                        if stream.read_exact(&mut len).await.is_err() {
                            return;
                        }
                        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
                        if stream.read_exact(&mut msg).await.is_err() {
                            return;
                        }
                        match handle(&zone, &log, &msg, false) {
                            Some(reply) => {
                                let Ok(n) = u16::try_from(reply.len()) else {
                                    return;
                                };
                                if stream.write_all(&n.to_be_bytes()).await.is_err()
                                    || stream.write_all(&reply).await.is_err()
                                {
                                    return;
                                }
                            }
                            // Silent: hold the connection open without answering.
                            None => tokio::time::sleep(std::time::Duration::from_secs(3600)).await,
                        }
                    }
                });
            }
        }));
    }
    DnsServer { addr, log, tasks }
}
