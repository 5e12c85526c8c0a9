//! Whether a server still accepts TLS 1.0 or TLS 1.1, which rustls cannot speak.
//!
//! [`offer`] writes one hand-built legacy client hello on a connection the caller opened and reads
//! just enough of the first answer to judge it: a server hello's version and cipher suite, an
//! alert's description, or the first bytes of something that is not TLS at all. Nothing past the
//! server hello is read and no handshake is completed, so no certificate or key is ever handled.
//!
//! Decisions worth knowing:
//! - Every read is bounded twice: by the one overall deadline and by what the parser still needs
//!   (a server hello up to its cipher suite is at most 73 bytes). A record's length field is only
//!   checked against the TLS maximum, never used to size a buffer.
//! - A server hello split over several handshake records is followed, up to `MAX_RECORDS`.
//! - A warning-level alert before the server hello (old servers send `unrecognized_name` as a
//!   warning and carry on) is skipped, up to `MAX_WARNINGS`; a fatal alert is a refusal.
//! - A server hello with a newer version than offered comes from a broken server that ignored our
//!   maximum: no TLS 1.0/1.1 client could talk to it, so it counts as a refusal.
//! - A reset connection is [`Outcome::Failed`], not a refusal: the probe cannot tell a firewall
//!   from a server that dislikes the hello.

use std::collections::hash_map::RandomState;
use std::fmt::Write as _;
use std::hash::BuildHasher;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, timeout_at};

use crate::probe::http::seconds;

/// The largest record length TLS allows (2^14 plus the compression and cipher expansion).
const MAX_RECORD: usize = (1 << 14) + 2048;
/// Handshake records a server hello may be spread over before the answer counts as malformed.
const MAX_RECORDS: usize = 80;
/// Warning alerts skipped before the server hello.
const MAX_WARNINGS: usize = 4;
/// How many bytes of a non-TLS answer are shown.
const SHOWN: usize = 40;
/// How long to wait for more of a non-TLS answer, only to show a little more of it.
const GRACE: Duration = Duration::from_millis(100);

const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;
const WARNING: u8 = 1;
const CLOSE_NOTIFY: u8 = 0;
const PROTOCOL_VERSION: u8 = 70;

/// The cipher suites offered: the CBC suites TLS 1.0/1.1 servers commonly pick, strongest first,
/// then the renegotiation-info signalling suite (which stands in for the extension).
const CIPHER_SUITES: [u16; 10] = [
    0xc00a, // ECDHE_ECDSA_WITH_AES_256_CBC_SHA
    0xc009, // ECDHE_ECDSA_WITH_AES_128_CBC_SHA
    0xc014, // ECDHE_RSA_WITH_AES_256_CBC_SHA
    0xc013, // ECDHE_RSA_WITH_AES_128_CBC_SHA
    0x0039, // DHE_RSA_WITH_AES_256_CBC_SHA
    0x0033, // DHE_RSA_WITH_AES_128_CBC_SHA
    0x0035, // RSA_WITH_AES_256_CBC_SHA
    0x002f, // RSA_WITH_AES_128_CBC_SHA
    0x000a, // RSA_WITH_3DES_EDE_CBC_SHA
    0x00ff, // EMPTY_RENEGOTIATION_INFO_SCSV
];
/// x25519, secp256r1, secp384r1.
const GROUPS: [u16; 3] = [0x001d, 0x0017, 0x0018];

const EXT_SERVER_NAME: u16 = 0x0000;
const EXT_SUPPORTED_GROUPS: u16 = 0x000a;
const EXT_EC_POINT_FORMATS: u16 = 0x000b;

/// A TLS version older than rustls speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Legacy {
    /// TLS 1.0 (1999).
    Tls10,
    /// TLS 1.1 (2006).
    Tls11,
}

impl Legacy {
    /// Both legacy versions, oldest first.
    pub const ALL: [Legacy; 2] = [Legacy::Tls10, Legacy::Tls11];

    /// The version as people name it: "TLS 1.0".
    pub fn label(self) -> &'static str {
        match self {
            Legacy::Tls10 => "TLS 1.0",
            Legacy::Tls11 => "TLS 1.1",
        }
    }

    /// The version as it is written on the wire: 0x0301 or 0x0302.
    pub fn wire_version(self) -> u16 {
        match self {
            Legacy::Tls10 => 0x0301,
            Legacy::Tls11 => 0x0302,
        }
    }
}

/// What a server answered to a legacy client hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server agreed to a legacy version: the one its server hello names ("TLS 1.0",
    /// "SSL 3.0") and the cipher suite it picked.
    Accepted {
        /// The version the server hello names.
        version: String,
        /// The cipher suite the server hello picked.
        cipher: u16,
    },
    /// The server refused: the alert's description (`protocol_version`), or why its server hello
    /// does not count.
    Refused(String),
    /// The connection closed without an answer; servers do this to refuse, so treat it as refused.
    Closed,
    /// The answer is not TLS: its first bytes as text or hex, or what is malformed about it.
    NotTls(String),
    /// No verdict: timeout, reset or another I/O error, in words.
    Failed(String),
}

/// Offers `version` on `stream` and judges the first answer, all within `timeout`.
///
/// `server_name` goes into the hello as SNI when it is a DNS name (never for an IP address).
/// The caller owns the connection and closes it afterwards; nothing past the server hello is read.
pub async fn offer<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    server_name: Option<&str>,
    version: Legacy,
    timeout: Duration,
) -> Outcome {
    let mut conn = Conn {
        stream,
        deadline: Instant::now() + timeout,
        timeout,
    };
    let hello = client_hello(server_name, version, fresh_random());
    match conn.exchange(&hello, version).await {
        Ok(outcome) | Err(outcome) => outcome,
    }
}

/// One exchange on the caller's stream; `Err` carries an outcome that ends it early.
struct Conn<'a, S> {
    stream: &'a mut S,
    deadline: Instant,
    timeout: Duration,
}

/// Handshake bytes gathered across records, and what is left unread of the current record.
struct Gathered {
    bytes: Vec<u8>,
    left: usize,
    records: usize,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<'_, S> {
    async fn exchange(&mut self, hello: &[u8], offered: Legacy) -> Result<Outcome, Outcome> {
        self.send(hello).await?;
        let mut head = self.first_header().await?;
        for _ in 0..=MAX_WARNINGS {
            let (kind, len) = check_header(head)?;
            match kind {
                ALERT => {
                    let [level, description] = self.alert(len).await?;
                    if description == CLOSE_NOTIFY {
                        return Ok(Outcome::Closed);
                    }
                    if level != WARNING {
                        return Ok(Outcome::Refused(alert_name(description)));
                    }
                    self.skip(len.saturating_sub(2)).await?;
                    head = self.header().await?;
                }
                HANDSHAKE => return self.server_hello(len, offered).await,
                _ => return Err(malformed("a record that is neither a handshake nor an alert")),
            }
        }
        Err(malformed("only warnings and no server hello"))
    }

    async fn send(&mut self, hello: &[u8]) -> Result<(), Outcome> {
        let write = async {
            self.stream.write_all(hello).await?;
            self.stream.flush().await
        };
        match timeout_at(self.deadline, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(io_failure("sending the hello", &e)),
            Err(_) => Err(self.late()),
        }
    }

    /// The first record header, or why there is none: closed, not TLS, late.
    async fn first_header(&mut self) -> Result<[u8; 5], Outcome> {
        let mut head = Vec::with_capacity(5);
        while head.len() < 5 {
            let most = 5 - head.len();
            let n = self.read_some(&mut head, most).await?;
            if !looks_like_tls(&head) {
                return Err(self.not_tls(head).await);
            }
            if n == 0 {
                return Err(if head.is_empty() { Outcome::Closed } else { cut_short() });
            }
        }
        Ok(to_header(&head))
    }

    /// A later record header; the connection closing first cuts the answer short.
    async fn header(&mut self) -> Result<[u8; 5], Outcome> {
        let mut head = Vec::with_capacity(5);
        self.fill(&mut head, 5).await?;
        Ok(to_header(&head))
    }

    /// An alert's level and description.
    async fn alert(&mut self, len: usize) -> Result<[u8; 2], Outcome> {
        if len < 2 {
            return Err(malformed("an alert too short to read"));
        }
        let mut body = Vec::with_capacity(2);
        self.fill(&mut body, 2).await?;
        match body.as_slice() {
            &[level, description] => Ok([level, description]),
            _ => Err(cut_short()),
        }
    }

    /// Reads the server hello up to its cipher suite and judges it.
    async fn server_hello(&mut self, len: usize, offered: Legacy) -> Result<Outcome, Outcome> {
        let mut hs = Gathered {
            bytes: Vec::with_capacity(80),
            left: len,
            records: 1,
        };
        self.gather(&mut hs, 4).await?;
        let (kind, body_len) = match hs.bytes.as_slice() {
            &[kind, a, b, c, ..] => (kind, u32::from_be_bytes([0, a, b, c])),
            _ => return Err(cut_short()),
        };
        if kind != SERVER_HELLO {
            return Err(Outcome::NotTls(format!(
                "a handshake message of type {kind} where the server hello belongs"
            )));
        }
        // version (2), random (32), session id length (1), cipher (2), compression (1).
        if body_len < 38 {
            return Err(malformed("a server hello too short to hold its fields"));
        }
        self.gather(&mut hs, 4 + 2 + 32 + 1).await?;
        let server_version = u16_at(&hs.bytes, 4).ok_or_else(cut_short)?;
        let sid_len = hs.bytes.get(38).copied().ok_or_else(cut_short)?;
        if sid_len > 32 || body_len < 38 + u32::from(sid_len) {
            return Err(malformed("a server hello with a bad session id length"));
        }
        let at = 39 + usize::from(sid_len);
        self.gather(&mut hs, at + 2).await?;
        let cipher = u16_at(&hs.bytes, at).ok_or_else(cut_short)?;
        judge(server_version, cipher, offered)
    }

    /// Reads handshake bytes until `hs` holds `want`, following into further handshake records.
    async fn gather(&mut self, hs: &mut Gathered, want: usize) -> Result<(), Outcome> {
        while hs.bytes.len() < want {
            if hs.left == 0 {
                if hs.records >= MAX_RECORDS {
                    return Err(malformed("a server hello spread over too many records"));
                }
                let (kind, len) = check_header(self.header().await?)?;
                if kind != HANDSHAKE {
                    return Err(malformed("a server hello cut off by another kind of record"));
                }
                hs.left = len;
                hs.records += 1;
            }
            let most = hs.left.min(want - hs.bytes.len());
            let n = self.read_some(&mut hs.bytes, most).await?;
            if n == 0 {
                return Err(cut_short());
            }
            hs.left = hs.left.saturating_sub(n);
        }
        Ok(())
    }

    /// Reads and drops `len` bytes (the rest of a warning alert's record).
    async fn skip(&mut self, mut len: usize) -> Result<(), Outcome> {
        let mut scratch = Vec::with_capacity(64);
        while len > 0 {
            scratch.clear();
            let n = self.read_some(&mut scratch, len).await?;
            if n == 0 {
                return Err(cut_short());
            }
            len = len.saturating_sub(n);
        }
        Ok(())
    }

    /// Reads until `buf` holds `want` bytes; the connection closing first cuts the answer short.
    async fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> Result<(), Outcome> {
        while buf.len() < want {
            let most = want - buf.len();
            if self.read_some(buf, most).await? == 0 {
                return Err(cut_short());
            }
        }
        Ok(())
    }

    /// One read of at most `most` bytes (and at most 64), appended to `buf`; 0 means closed.
    async fn read_some(&mut self, buf: &mut Vec<u8>, most: usize) -> Result<usize, Outcome> {
        let mut chunk = [0u8; 64];
        let room = chunk.get_mut(..most.min(64)).unwrap_or_default();
        match timeout_at(self.deadline, self.stream.read(room)).await {
            Ok(Ok(n)) => {
                buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
                Ok(n)
            }
            Ok(Err(e)) => Err(io_failure("reading the answer", &e)),
            Err(_) => Err(self.late()),
        }
    }

    /// A not-TLS answer, showing a little more of it if more arrives quickly.
    async fn not_tls(&mut self, mut seen: Vec<u8>) -> Outcome {
        let until = self.deadline.min(Instant::now() + GRACE);
        while seen.len() < SHOWN && !seen.contains(&b'\n') {
            let mut chunk = [0u8; SHOWN];
            let room = chunk.get_mut(..SHOWN - seen.len()).unwrap_or_default();
            match timeout_at(until, self.stream.read(room)).await {
                Ok(Ok(n)) if n > 0 => seen.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                _ => break,
            }
        }
        Outcome::NotTls(show(&seen))
    }

    fn late(&self) -> Outcome {
        Outcome::Failed(format!("no answer within {}", seconds(self.timeout)))
    }
}

/// Whether the bytes so far could start a handshake or alert record.
fn looks_like_tls(prefix: &[u8]) -> bool {
    matches!(prefix.first(), None | Some(&(ALERT | HANDSHAKE))) && matches!(prefix.get(1), None | Some(3))
}

fn to_header(bytes: &[u8]) -> [u8; 5] {
    let mut head = [0u8; 5];
    for (slot, byte) in head.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    head
}

/// The record type and length of a well-formed record header.
fn check_header(head: [u8; 5]) -> Result<(u8, usize), Outcome> {
    let [kind, major, _minor, a, b] = head;
    let len = usize::from(u16::from_be_bytes([a, b]));
    if major != 3 || len == 0 || len > MAX_RECORD {
        let mut shown = String::new();
        for byte in head {
            let _ = write!(shown, " {byte:02x}");
        }
        return Err(Outcome::NotTls(format!("a malformed TLS record header:{shown}")));
    }
    Ok((kind, len))
}

/// The outcome of a complete server hello.
fn judge(server_version: u16, cipher: u16, offered: Legacy) -> Result<Outcome, Outcome> {
    if !(0x0300..=0x03ff).contains(&server_version) {
        return Err(Outcome::NotTls(format!(
            "a server hello with version 0x{server_version:04x}"
        )));
    }
    if server_version > offered.wire_version() {
        return Ok(Outcome::Refused(format!(
            "answered with {} to a {}-only hello",
            version_name(server_version),
            offered.label()
        )));
    }
    Ok(Outcome::Accepted {
        version: version_name(server_version),
        cipher,
    })
}

/// A protocol version in words: 0x0301 is "TLS 1.0".
fn version_name(version: u16) -> String {
    match version {
        0x0300 => "SSL 3.0".to_string(),
        0x0301 => "TLS 1.0".to_string(),
        0x0302 => "TLS 1.1".to_string(),
        0x0303 => "TLS 1.2".to_string(),
        0x0304 => "TLS 1.3".to_string(),
        other => format!("version 0x{other:04x}"),
    }
}

/// An alert description by its name in the TLS specifications.
fn alert_name(description: u8) -> String {
    let name = match description {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        40 => "handshake_failure",
        42 => "bad_certificate",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        110 => "unsupported_extension",
        112 => "unrecognized_name",
        other => return format!("alert {other}"),
    };
    name.to_string()
}

/// The first bytes of an answer, safe to show: its first line when it is text, else hex.
fn show(bytes: &[u8]) -> String {
    let line = bytes.split(|b| *b == b'\r' || *b == b'\n').next().unwrap_or_default();
    if !line.is_empty() && line.iter().all(|b| (0x20..0x7f).contains(b)) {
        return String::from_utf8_lossy(line).into_owned();
    }
    let mut out = String::from("bytes");
    for byte in bytes.iter().take(16) {
        let _ = write!(out, " {byte:02x}");
    }
    out
}

fn malformed(what: &str) -> Outcome {
    Outcome::NotTls(format!("malformed TLS: {what}"))
}

fn cut_short() -> Outcome {
    Outcome::Failed("the connection closed partway through the answer".to_string())
}

fn io_failure(doing: &str, error: &io::Error) -> Outcome {
    match error.kind() {
        io::ErrorKind::ConnectionReset => Outcome::Failed(format!("the server reset the connection while {doing}")),
        _ => Outcome::Failed(format!("{doing} failed: {error}")),
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    match bytes.get(at..at.checked_add(2)?)? {
        &[a, b] => Some(u16::from_be_bytes([a, b])),
        _ => None,
    }
}

/// 32 bytes that differ per hello; their quality does not matter, nothing is encrypted.
fn fresh_random() -> [u8; 32] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let state = RandomState::new();
    let mut random = [0u8; 32];
    for (i, chunk) in random.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&state.hash_one((count, nanos, i)).to_le_bytes());
    }
    random
}

/// The name to send as SNI: a DNS name, lowercased, without its trailing dot; never an IP.
fn sni_name(name: &str) -> Option<String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let valid = !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    // An all-digit last label is an IPv4 address in some spelling; IPv6 fails the byte test.
    let numeric = name
        .rsplit('.')
        .next()
        .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()));
    (valid && !numeric).then(|| name.to_ascii_lowercase())
}

/// `body` after its length as two bytes. Every caller's body is far below 64 KiB.
fn put_u16_len(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(&u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(body);
}

fn extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    put_u16_len(out, data);
}

/// The client hello record: `version` as the highest version, legacy CBC suites, null
/// compression, and SNI, supported groups and point formats as its only extensions.
fn client_hello(server_name: Option<&str>, version: Legacy, random: [u8; 32]) -> Vec<u8> {
    let mut extensions = Vec::new();
    if let Some(name) = server_name.and_then(sni_name) {
        let mut entry = vec![0u8]; // host_name
        put_u16_len(&mut entry, name.as_bytes());
        let mut list = Vec::new();
        put_u16_len(&mut list, &entry);
        extension(&mut extensions, EXT_SERVER_NAME, &list);
    }
    let groups: Vec<u8> = GROUPS.iter().flat_map(|g| g.to_be_bytes()).collect();
    let mut list = Vec::new();
    put_u16_len(&mut list, &groups);
    extension(&mut extensions, EXT_SUPPORTED_GROUPS, &list);
    extension(&mut extensions, EXT_EC_POINT_FORMATS, &[1, 0]); // uncompressed

    let mut body = Vec::with_capacity(128);
    body.extend_from_slice(&version.wire_version().to_be_bytes());
    body.extend_from_slice(&random);
    body.push(0); // empty session id
    let suites: Vec<u8> = CIPHER_SUITES.iter().flat_map(|s| s.to_be_bytes()).collect();
    put_u16_len(&mut body, &suites);
    body.extend_from_slice(&[1, 0]); // null compression only
    put_u16_len(&mut body, &extensions);

    let mut handshake = vec![CLIENT_HELLO];
    let body_len = u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes();
    handshake.extend_from_slice(body_len.get(1..).unwrap_or_default());
    handshake.extend_from_slice(&body);

    // The record version stays 0x0301 for both versions, as real clients send it.
    let mut record = vec![HANDSHAKE, 0x03, 0x01];
    put_u16_len(&mut record, &handshake);
    record
}

/// A minimal server hello record: no extensions, null compression.
fn server_hello_record(version: u16, cipher: u16, session_id: &[u8]) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[0x5a; 32]);
    let session_id = session_id.get(..32).unwrap_or(session_id);
    body.push(u8::try_from(session_id.len()).unwrap_or(0));
    body.extend_from_slice(session_id);
    body.extend_from_slice(&cipher.to_be_bytes());
    body.push(0);
    let mut handshake = vec![SERVER_HELLO];
    let body_len = u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes();
    handshake.extend_from_slice(body_len.get(1..).unwrap_or_default());
    handshake.extend_from_slice(&body);
    let mut record = vec![HANDSHAKE];
    record.extend_from_slice(&version.to_be_bytes());
    put_u16_len(&mut record, &handshake);
    record
}

/// An alert record.
fn alert_record(level: u8, description: u8) -> Vec<u8> {
    vec![ALERT, 0x03, 0x01, 0x00, 0x02, level, description]
}

/// One whole TLS record (header included) read from `stream`, if it is a handshake record of a
/// length TLS allows; the length is checked before anything is allocated.
async fn read_hello_record<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<Option<Vec<u8>>> {
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).await?;
    let [kind, _, _, a, b] = head;
    let len = usize::from(u16::from_be_bytes([a, b]));
    if kind != HANDSHAKE || len > MAX_RECORD {
        return Ok(None);
    }
    let mut record = vec![0u8; 5 + len];
    if let Some((start, rest)) = record.split_at_mut_checked(5) {
        start.copy_from_slice(&head);
        stream.read_exact(rest).await?;
    }
    Ok(Some(record))
}

pub mod fake {
    //! For tests and the practice target: a server that answers a client hello with a server hello
    //! of one fixed version, or with a `protocol_version` alert, and then closes.

    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::time::timeout;

    use super::{PROTOCOL_VERSION, alert_record, read_hello_record, server_hello_record, u16_at};

    /// How long one connection may take to send its hello, and to go away afterwards.
    const PATIENCE: Duration = Duration::from_secs(5);
    /// The cipher suite the fake picks: `TLS_RSA_WITH_AES_128_CBC_SHA`.
    pub const CIPHER: u16 = 0x002f;

    /// Serves connections until the task is dropped: a server hello of version `accept` when the
    /// hello offers at least that version, else a `protocol_version` alert (always when `None`).
    pub async fn serve_legacy(listener: TcpListener, accept: Option<u16>) {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(answer(stream, accept));
                }
                // Out of file descriptors and the like: wait instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    async fn answer(mut stream: TcpStream, accept: Option<u16>) {
        let Ok(Ok(Some(record))) = timeout(PATIENCE, read_hello_record(&mut stream)).await else {
            return;
        };
        // Record header (5), handshake type (1), length (3), then client_version.
        if record.get(5) != Some(&super::CLIENT_HELLO) {
            return;
        }
        let Some(offered) = u16_at(&record, 9) else {
            return;
        };
        let reply = match accept {
            Some(version) if offered >= version => server_hello_record(version, CIPHER, &[]),
            _ => alert_record(2, PROTOCOL_VERSION),
        };
        let sent = timeout(PATIENCE, async {
            stream.write_all(&reply).await?;
            stream.shutdown().await
        })
        .await;
        if matches!(sent, Ok(Ok(()))) {
            // Wait for the client to hang up, so closing never resets the reply away.
            let mut sink = [0u8; 512];
            let _ = timeout(PATIENCE, async {
                for _ in 0..128 {
                    if matches!(stream.read(&mut sink).await, Ok(0) | Err(_)) {
                        break;
                    }
                }
            })
            .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;
    use crate::probe::Xorshift;

    const PATIENT: Duration = Duration::from_secs(5);

    async fn fake(accept: Option<u16>) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(fake::serve_legacy(listener, accept));
        addr
    }

    /// A server for one connection, running `serve` on it.
    async fn once<F, Fut>(serve: F) -> SocketAddr
    where
        F: FnOnce(TcpStream) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            serve(stream).await;
        });
        addr
    }

    async fn offer_to(addr: SocketAddr, version: Legacy, timeout: Duration) -> Outcome {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        offer(&mut stream, Some("example.com"), version, timeout).await
    }

    /// What `offer` makes of `answer` arriving whole and then the connection closing.
    async fn answered(answer: &[u8], version: Legacy) -> Outcome {
        let (mut client, mut server) = duplex(64 * 1024);
        server.write_all(answer).await.unwrap();
        server.shutdown().await.unwrap();
        let outcome = offer(&mut client, Some("example.com"), version, PATIENT).await;
        drop(server);
        outcome
    }

    fn accepted(version: &str, cipher: u16) -> Outcome {
        Outcome::Accepted {
            version: version.to_string(),
            cipher,
        }
    }

    fn refused(why: &str) -> Outcome {
        Outcome::Refused(why.to_string())
    }

    fn not_tls(what: &str) -> Outcome {
        Outcome::NotTls(what.to_string())
    }

    /// A server hello's handshake message cut into records of `sizes` bytes (the rest in the last).
    fn split_hello(version: u16, sizes: &[usize]) -> Vec<u8> {
        let whole = server_hello_record(version, 0xc013, &[]);
        let mut message = whole.get(5..).unwrap().to_vec();
        let mut out = Vec::new();
        for &size in sizes {
            if message.is_empty() {
                break;
            }
            let rest = message.split_off(size.min(message.len()));
            out.extend_from_slice(&[HANDSHAKE, 3, 1]);
            put_u16_len(&mut out, &message);
            message = rest;
        }
        if !message.is_empty() {
            out.extend_from_slice(&[HANDSHAKE, 3, 1]);
            put_u16_len(&mut out, &message);
        }
        out
    }

    #[tokio::test]
    async fn the_fake_accepting_tls10_accepts_a_tls10_hello() {
        let addr = fake(Some(0x0301)).await;
        let outcome = offer_to(addr, Legacy::Tls10, PATIENT).await;
        assert_eq!(outcome, accepted("TLS 1.0", fake::CIPHER));
    }

    #[tokio::test]
    async fn the_fake_accepting_tls10_answers_tls10_to_a_tls11_hello() {
        let addr = fake(Some(0x0301)).await;
        let outcome = offer_to(addr, Legacy::Tls11, PATIENT).await;
        assert_eq!(outcome, accepted("TLS 1.0", fake::CIPHER));
    }

    #[tokio::test]
    async fn the_fake_accepting_nothing_refuses_with_protocol_version() {
        let addr = fake(None).await;
        for version in Legacy::ALL {
            let outcome = offer_to(addr, version, PATIENT).await;
            assert_eq!(outcome, refused("protocol_version"), "{version:?}");
        }
    }

    #[tokio::test]
    async fn the_fake_accepting_tls11_refuses_tls10() {
        let addr = fake(Some(0x0302)).await;
        assert_eq!(
            offer_to(addr, Legacy::Tls10, PATIENT).await,
            refused("protocol_version")
        );
        assert_eq!(
            offer_to(addr, Legacy::Tls11, PATIENT).await,
            accepted("TLS 1.1", fake::CIPHER)
        );
    }

    #[tokio::test]
    async fn a_server_that_never_answers_fails_within_the_timeout() {
        let addr = once(|stream| async move {
            tokio::time::sleep(PATIENT).await;
            drop(stream);
        })
        .await;
        let outcome = offer_to(addr, Legacy::Tls10, Duration::from_millis(200)).await;
        assert_eq!(outcome, Outcome::Failed("no answer within 200 ms".to_string()));
    }

    #[tokio::test]
    async fn a_server_that_closes_after_the_hello_is_closed() {
        let addr = once(|mut stream| async move {
            // Read the hello first: closing with it unread would reset instead of close.
            let _ = read_hello_record(&mut stream).await;
        })
        .await;
        assert_eq!(offer_to(addr, Legacy::Tls10, PATIENT).await, Outcome::Closed);
    }

    #[tokio::test]
    async fn an_http_server_is_not_tls() {
        let addr = once(|mut stream| async move {
            let _ = read_hello_record(&mut stream).await;
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
            tokio::time::sleep(PATIENT).await;
        })
        .await;
        let outcome = offer_to(addr, Legacy::Tls10, PATIENT).await;
        assert_eq!(outcome, not_tls("HTTP/1.1 400 Bad Request"));
    }

    #[tokio::test]
    async fn a_server_dripping_a_byte_every_100_ms_fails_at_the_timeout() {
        let addr = once(|mut stream| async move {
            let _ = read_hello_record(&mut stream).await;
            for byte in server_hello_record(0x0301, 0x002f, &[]) {
                if stream.write_all(&[byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await;
        let outcome = offer_to(addr, Legacy::Tls10, Duration::from_millis(300)).await;
        assert_eq!(outcome, Outcome::Failed("no answer within 300 ms".to_string()));
    }

    #[tokio::test]
    async fn answers_are_judged() {
        let cases: Vec<(&str, Vec<u8>, Legacy, Outcome)> = vec![
            (
                "tls 1.0 hello",
                server_hello_record(0x0301, 0xc014, &[]),
                Legacy::Tls10,
                accepted("TLS 1.0", 0xc014),
            ),
            (
                "tls 1.1 hello with a session id",
                server_hello_record(0x0302, 0x0035, &[7; 32]),
                Legacy::Tls11,
                accepted("TLS 1.1", 0x0035),
            ),
            (
                "ssl 3.0 hello",
                server_hello_record(0x0300, 0x000a, &[]),
                Legacy::Tls11,
                accepted("SSL 3.0", 0x000a),
            ),
            (
                "tls 1.2 hello to a tls 1.0 hello",
                server_hello_record(0x0303, 0xc013, &[]),
                Legacy::Tls10,
                refused("answered with TLS 1.2 to a TLS 1.0-only hello"),
            ),
            (
                "tls 1.1 hello to a tls 1.0 hello",
                server_hello_record(0x0302, 0xc013, &[]),
                Legacy::Tls10,
                refused("answered with TLS 1.1 to a TLS 1.0-only hello"),
            ),
            (
                "hello split after 10 bytes",
                split_hello(0x0301, &[10]),
                Legacy::Tls10,
                accepted("TLS 1.0", 0xc013),
            ),
            (
                "hello in one-byte records",
                split_hello(0x0301, &[1; 45]),
                Legacy::Tls10,
                accepted("TLS 1.0", 0xc013),
            ),
            (
                "warning unrecognized_name, then a hello",
                [alert_record(1, 112), server_hello_record(0x0301, 0x002f, &[])].concat(),
                Legacy::Tls10,
                accepted("TLS 1.0", 0x002f),
            ),
            (
                "fatal handshake_failure",
                alert_record(2, 40),
                Legacy::Tls10,
                refused("handshake_failure"),
            ),
            (
                "fatal protocol_version",
                alert_record(2, 70),
                Legacy::Tls10,
                refused("protocol_version"),
            ),
            (
                "insufficient_security",
                alert_record(2, 71),
                Legacy::Tls10,
                refused("insufficient_security"),
            ),
            (
                "internal_error",
                alert_record(2, 80),
                Legacy::Tls10,
                refused("internal_error"),
            ),
            (
                "unrecognized_name",
                alert_record(2, 112),
                Legacy::Tls10,
                refused("unrecognized_name"),
            ),
            (
                "illegal_parameter",
                alert_record(2, 47),
                Legacy::Tls10,
                refused("illegal_parameter"),
            ),
            (
                "decode_error",
                alert_record(2, 50),
                Legacy::Tls10,
                refused("decode_error"),
            ),
            ("unknown alert", alert_record(2, 99), Legacy::Tls10, refused("alert 99")),
            ("close_notify", alert_record(1, 0), Legacy::Tls10, Outcome::Closed),
            ("nothing at all", vec![], Legacy::Tls10, Outcome::Closed),
            (
                "http",
                b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(),
                Legacy::Tls10,
                not_tls("HTTP/1.1 400 Bad Request"),
            ),
            (
                "binary",
                vec![0, 1, 2, 0xff],
                Legacy::Tls10,
                not_tls("bytes 00 01 02 ff"),
            ),
            (
                "application data record",
                vec![23, 3, 1, 0, 1, 0],
                Legacy::Tls10,
                not_tls("bytes 17 03 01 00 01 00"),
            ),
            (
                "huge record length",
                vec![22, 3, 1, 0xff, 0xff, 2],
                Legacy::Tls10,
                not_tls("a malformed TLS record header: 16 03 01 ff ff"),
            ),
            (
                "empty record",
                vec![22, 3, 1, 0, 0],
                Legacy::Tls10,
                not_tls("a malformed TLS record header: 16 03 01 00 00"),
            ),
            (
                "one-byte alert",
                vec![21, 3, 1, 0, 1, 2],
                Legacy::Tls10,
                malformed("an alert too short to read"),
            ),
            (
                "certificate first",
                vec![22, 3, 1, 0, 4, 11, 0, 0, 0],
                Legacy::Tls10,
                not_tls("a handshake message of type 11 where the server hello belongs"),
            ),
            (
                "hello cut off by an alert",
                [split_hello(0x0301, &[10]).get(..15).unwrap(), &alert_record(2, 40)].concat(),
                Legacy::Tls10,
                malformed("a server hello cut off by another kind of record"),
            ),
            (
                "session id longer than 32",
                {
                    let mut hello = server_hello_record(0x0301, 0x002f, &[]);
                    hello[5 + 4 + 34] = 33;
                    hello
                },
                Legacy::Tls10,
                malformed("a server hello with a bad session id length"),
            ),
            (
                "hello cut short",
                server_hello_record(0x0301, 0x002f, &[]).get(..30).unwrap().to_vec(),
                Legacy::Tls10,
                cut_short(),
            ),
            ("half a header", vec![22, 3], Legacy::Tls10, cut_short()),
        ];
        for (name, answer, version, want) in cases {
            assert_eq!(answered(&answer, version).await, want, "{name}");
        }
    }

    /// The parts of a client hello record, each length checked against what it encloses.
    struct Parsed {
        record_version: u16,
        client_version: u16,
        random: Vec<u8>,
        suites: Vec<u16>,
        compression: Vec<u8>,
        extensions: Vec<(u16, Vec<u8>)>,
    }

    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> &'a [u8] {
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        head
    }

    fn take_u16(bytes: &mut &[u8]) -> u16 {
        let b = take(bytes, 2);
        u16::from_be_bytes([b[0], b[1]])
    }

    fn parse_hello(record: &[u8]) -> Parsed {
        let mut r = record;
        assert_eq!(take(&mut r, 1), [HANDSHAKE]);
        let record_version = take_u16(&mut r);
        assert_eq!(usize::from(take_u16(&mut r)), r.len(), "record length");
        assert_eq!(take(&mut r, 1), [CLIENT_HELLO]);
        let l = take(&mut r, 3);
        assert_eq!(
            usize::try_from(u32::from_be_bytes([0, l[0], l[1], l[2]])).unwrap(),
            r.len(),
            "handshake length"
        );
        assert_eq!(record.len(), 5 + 4 + r.len());
        let client_version = take_u16(&mut r);
        let random = take(&mut r, 32).to_vec();
        assert_eq!(take(&mut r, 1), [0], "empty session id");
        let n = usize::from(take_u16(&mut r));
        assert_eq!(n % 2, 0);
        let mut s = take(&mut r, n);
        let suites = (0..n / 2).map(|_| take_u16(&mut s)).collect();
        let n = usize::from(take(&mut r, 1)[0]);
        let compression = take(&mut r, n).to_vec();
        assert_eq!(usize::from(take_u16(&mut r)), r.len(), "extensions length");
        let mut extensions = Vec::new();
        while !r.is_empty() {
            let kind = take_u16(&mut r);
            let n = usize::from(take_u16(&mut r));
            extensions.push((kind, take(&mut r, n).to_vec()));
        }
        Parsed {
            record_version,
            client_version,
            random,
            suites,
            compression,
            extensions,
        }
    }

    fn ext(hello: &Parsed, kind: u16) -> Option<&[u8]> {
        hello
            .extensions
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, d)| d.as_slice())
    }

    #[test]
    fn the_client_hello_parses_back() {
        for version in Legacy::ALL {
            let hello = parse_hello(&client_hello(Some("Example.COM."), version, [9; 32]));
            assert_eq!(hello.record_version, 0x0301);
            assert_eq!(hello.client_version, version.wire_version());
            assert_eq!(hello.random, [9; 32]);
            for suite in [
                0x002f, 0x0035, 0xc013, 0xc014, 0xc009, 0xc00a, 0x000a, 0x0033, 0x0039, 0x00ff,
            ] {
                assert!(hello.suites.contains(&suite), "{suite:04x}");
            }
            assert_eq!(hello.compression, [0]);
            let sni = ext(&hello, EXT_SERVER_NAME).unwrap();
            assert_eq!(sni, [&[0, 14, 0, 0, 11][..], b"example.com"].concat());
            assert_eq!(
                ext(&hello, EXT_SUPPORTED_GROUPS).unwrap(),
                [0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18]
            );
            assert_eq!(ext(&hello, EXT_EC_POINT_FORMATS).unwrap(), [1, 0]);
            assert_eq!(hello.extensions.len(), 3, "no supported_versions or others");
        }
    }

    #[test]
    fn sni_is_left_out_for_ip_addresses_and_odd_names() {
        for name in [
            None,
            Some("127.0.0.1"),
            Some("::1"),
            Some("[::1]"),
            Some("10.1"),
            Some(""),
            Some("a b.com"),
        ] {
            let hello = parse_hello(&client_hello(name, Legacy::Tls10, [0; 32]));
            assert_eq!(ext(&hello, EXT_SERVER_NAME), None, "{name:?}");
            assert!(ext(&hello, EXT_SUPPORTED_GROUPS).is_some());
        }
    }

    #[tokio::test]
    async fn offer_sends_the_hello_with_sni_and_a_fresh_random() {
        let mut randoms = Vec::new();
        for name in ["api.example.com", "192.0.2.7"] {
            let (mut client, mut server) = duplex(64 * 1024);
            let outcome = offer(&mut client, Some(name), Legacy::Tls11, Duration::from_millis(50)).await;
            assert!(matches!(outcome, Outcome::Failed(_)), "{outcome:?}");
            drop(client);
            let mut sent = Vec::new();
            server.read_to_end(&mut sent).await.unwrap();
            let hello = parse_hello(&sent);
            assert_eq!(hello.client_version, 0x0302);
            let has_sni = ext(&hello, EXT_SERVER_NAME).is_some();
            assert_eq!(has_sni, name == "api.example.com", "{name}");
            randoms.push(hello.random);
        }
        assert_ne!(randoms[0], randoms[1]);
    }

    fn byte(rng: &mut Xorshift) -> u8 {
        rng.next_u64().to_le_bytes()[0]
    }

    #[tokio::test]
    async fn random_answers_never_panic() {
        let mut rng = Xorshift::new(0x001e_6ac7);
        let valid = server_hello_record(0x0301, 0x002f, &[1; 8]);
        let mut seen_accepted = 0;
        for _ in 0..3000 {
            let mut answer = match rng.below(4) {
                0 => valid.clone(),
                1 => alert_record(byte(&mut rng) % 3, byte(&mut rng)),
                2 => vec![22, 3, byte(&mut rng) % 5, byte(&mut rng), byte(&mut rng)],
                _ => Vec::new(),
            };
            for _ in 0..rng.below(4) {
                if !answer.is_empty() {
                    let at = rng.below(answer.len());
                    answer[at] = byte(&mut rng);
                }
            }
            answer.truncate(rng.below(answer.len() + 1).max(answer.len() / 2));
            for _ in 0..rng.below(60) {
                answer.push(byte(&mut rng));
            }
            let outcome = answered(&answer, Legacy::Tls11).await;
            if let Outcome::Accepted { version, .. } = &outcome {
                assert!(
                    ["SSL 3.0", "TLS 1.0", "TLS 1.1"].contains(&version.as_str()),
                    "{version}"
                );
                seen_accepted += 1;
            }
        }
        assert!(seen_accepted > 0, "the generator never produced a valid hello");
    }
}
