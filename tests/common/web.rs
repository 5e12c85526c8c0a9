//! Web servers for the edge tests, on 127.0.0.1: a configurable site (answers by host and path,
//! over plain HTTP or TLS with a certificate made in the test), and hostile servers that hang,
//! drip, send endless heads or bodies, or garbage instead of TLS.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn ok(body: &str) -> Answer {
        Answer {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn redirect(status: u16, to: &str) -> Answer {
        Answer::status(status).header("location", to)
    }

    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// What a site serves: by `host/path`, then by `path`, then the fallback (404).
#[derive(Clone, Default)]
pub struct Pages {
    by_path: HashMap<String, Answer>,
    fallback: Option<Answer>,
}

impl Pages {
    pub fn new() -> Pages {
        Pages::default()
    }

    /// Serves `answer` at `path` ("/x") for every host, or at "host/x" for one host only.
    pub fn at(mut self, path: &str, answer: Answer) -> Pages {
        self.by_path.insert(path.to_string(), answer);
        self
    }

    /// Serves `answer` for every path not listed.
    pub fn otherwise(mut self, answer: Answer) -> Pages {
        self.fallback = Some(answer);
        self
    }

    fn find(&self, host: &str, path: &str) -> Answer {
        let host = host.split(':').next().unwrap_or_default();
        self.by_path
            .get(&format!("{host}{path}"))
            .or_else(|| self.by_path.get(path))
            .or(self.fallback.as_ref())
            .cloned()
            .unwrap_or_else(|| Answer::status(404))
    }
}

/// A running server; its requests as `host path` lines.
pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<String>>>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `pages` over plain HTTP/1.1 (or TLS with `tls`).
pub async fn serve(pages: Pages, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let pages = Arc::new(pages);
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (pages, log, acceptor) = (Arc::clone(&pages), Arc::clone(&log), acceptor.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let pages = Arc::clone(&pages);
                    let log = Arc::clone(&log);
                    async move {
                        let host = req
                            .headers()
                            .get("host")
                            .and_then(|h| h.to_str().ok())
                            .unwrap_or_default()
                            .to_string();
                        let path = req.uri().path().to_string();
                        log.lock().unwrap().push(format!("{host} {path}"));
                        let answer = pages.find(&host, &path);
                        let mut response = hyper::Response::builder().status(answer.status);
                        for (k, v) in &answer.headers {
                            response = response.header(k.as_str(), v.as_str());
                        }
                        Ok::<_, Infallible>(response.body(Full::new(Bytes::from(answer.body))).unwrap())
                    }
                });
                let builder = hyper::server::conn::http1::Builder::new();
                match acceptor {
                    Some(acceptor) => {
                        if let Ok(tls) = acceptor.accept(stream).await {
                            let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                        }
                    }
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
            });
        }
    });
    Server { addr, seen, task }
}

/// A server that does `behave` with every connection (after reading what arrives at first).
async fn raw<F, Fut>(behave: F) -> Server
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let behave = Arc::new(behave);
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let behave = Arc::clone(&behave);
            tokio::spawn(async move { behave(stream).await });
        }
    });
    Server {
        addr,
        seen: Arc::default(),
        task,
    }
}

async fn read_some(stream: &mut tokio::net::TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await;
}

/// Accepts connections and never answers.
pub async fn hang() -> Server {
    raw(|stream| async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        drop(stream);
    })
    .await
}

/// Answers with a valid status line, then one header byte every 200 ms, forever.
pub async fn drip() -> Server {
    raw(|mut stream| async move {
        read_some(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n").await;
        for _ in 0..100_000 {
            if stream.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
}

/// Answers 200 with a chunked body that never ends.
pub async fn endless_body() -> Server {
    raw(|mut stream| async move {
        read_some(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n")
            .await;
        let chunk = format!("{:x}\r\n{}\r\n", 16 * 1024, "a".repeat(16 * 1024));
        for _ in 0..1_000_000 {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
    })
    .await
}

/// Answers with headers that never end.
pub async fn endless_head() -> Server {
    raw(|mut stream| async move {
        read_some(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n").await;
        for i in 0..1_000_000_u32 {
            if stream
                .write_all(format!("x-filler-{i}: {}\r\n", "y".repeat(64)).as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    })
    .await
}

/// Answers whatever arrives with bytes that are not TLS (nor HTTP).
pub async fn garbage() -> Server {
    raw(|mut stream| async move {
        read_some(&mut stream).await;
        let _ = stream
            .write_all(&[0x17, 0xff, 0x00, 0x42, 0x99, 0x01, 0x02, 0x03, 0x04, 0x05])
            .await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await
}
