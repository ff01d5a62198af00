//! A small HTTP/1.1 server: a thread per connection, keep-alive, `Content-Length` bodies — what
//! ARM clients send — over plain TCP or TLS (rustls). Hand-written rather than a dependency
//! because the emulator must be able to misbehave as a network does (drop a connection without an
//! answer), which server libraries rightly make impossible.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path, percent-decoded, without the query, with repeated slashes made one.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub enum Response {
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Close the connection without answering (a lost response).
    Drop,
}

impl Response {
    pub fn json(status: u16, body: &serde_json::Value) -> Response {
        Response::json_text(status, body.to_string())
    }

    /// An answer whose JSON body is already written.
    pub fn json_text(status: u16, body: String) -> Response {
        Response::Answer {
            status,
            headers: vec![("Content-Type".into(), "application/json; charset=utf-8".into())],
            body,
        }
    }

    pub fn empty(status: u16) -> Response {
        Response::Answer { status, headers: Vec::new(), body: String::new() }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        if let Response::Answer { headers, .. } = &mut self {
            headers.push((name.to_string(), value.into()));
        }
        self
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A connection's byte stream: plain TCP, or TLS over it.
trait Stream: Read + Write + Send {
    /// Closes the connection without an answer.
    fn drop_connection(&mut self);
}

impl Stream for TcpStream {
    fn drop_connection(&mut self) {
        let _ = self.shutdown(std::net::Shutdown::Both);
    }
}

impl Stream for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn drop_connection(&mut self) {
        let _ = self.sock.shutdown(std::net::Shutdown::Both);
    }
}

/// Serves until `stop` is set; then accepts no more connections, lets the requests in flight
/// finish (for up to `drain`), and returns. Idle keep-alive connections are simply left. With
/// `tls`, every connection is TLS.
pub fn serve(
    listener: TcpListener,
    handler: Handler,
    stop: &AtomicBool,
    drain: Duration,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<()> {
    // Accepting without blocking, so that a stop is seen within a few milliseconds.
    listener.set_nonblocking(true)?;
    let in_flight = Arc::new(AtomicUsize::new(0));
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_nodelay(true);
                let handler = handler.clone();
                let in_flight = in_flight.clone();
                let tls = tls.clone();
                std::thread::spawn(move || match tls {
                    Some(config) => {
                        let Ok(session) = rustls::ServerConnection::new(config) else { return };
                        connection(rustls::StreamOwned::new(session, stream), handler, &in_flight)
                    }
                    None => connection(stream, handler, &in_flight),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    drop(listener);
    let deadline = std::time::Instant::now() + drain;
    while in_flight.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

/// Counts a request as in flight from the moment it is read until its answer is written.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn start(count: &'a AtomicUsize) -> InFlight<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        InFlight(count)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn connection(stream: impl Stream, handler: Handler, in_flight: &AtomicUsize) {
    // Reads are buffered; answers are written to the same stream underneath.
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(message) => {
                let body = serde_json::json!({"error": {"code": "BadRequest", "message": message}});
                let _ = write_response(reader.get_mut(), Response::json(400, &body), false);
                return;
            }
        };
        let _busy = InFlight::start(in_flight);
        let close = request.header("connection").is_some_and(|c| c.eq_ignore_ascii_case("close"));
        let response = handler(&request);
        if matches!(response, Response::Drop) {
            reader.get_mut().drop_connection();
            return;
        }
        if write_response(reader.get_mut(), response, close).is_err() || close {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<impl Read>) -> Result<Option<Request>, String> {
    let mut line = String::new();
    let mut head = 0;
    // Tolerate blank lines between requests, as RFC 9112 asks.
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return Ok(None),
            Ok(n) => head += n,
            Err(_) => return Ok(None),
        }
        if !line.trim().is_empty() {
            break;
        }
        if head > MAX_HEAD {
            return Err("the request head is too long".into());
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("not an HTTP request line: {:?}", line.trim()));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(format!("unsupported protocol {version}"));
    }
    let (method, target) = (method.to_string(), target.to_string());
    let mut headers = Vec::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| e.to_string())?;
        head += n;
        if head > MAX_HEAD {
            return Err("the request head is too long".into());
        }
        if n == 0 || line.trim().is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').ok_or_else(|| format!("a malformed header line: {:?}", line.trim()))?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        read_chunked(reader)?
    } else {
        let length = match headers.iter().find(|(k, _)| k == "content-length") {
            Some((_, v)) => v.parse::<usize>().map_err(|_| format!("Content-Length `{v}` is not a number"))?,
            None => 0,
        };
        if length > MAX_BODY {
            return Err(format!("a body of {length} bytes is too large"));
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        body
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    // ARM reads `//subscriptions/…` (a scope with its leading slash, after the template's) as
    // `/subscriptions/…`; so does the emulator.
    let mut path = decode(path);
    while path.contains("//") {
        path = path.replace("//", "/");
    }
    Ok(Some(Request { method, path, query, headers, body }))
}

/// A `Transfer-Encoding: chunked` body (RFC 9112 §7.1): hexadecimal sizes, each chunk, a zero
/// chunk, trailers up to a blank line.
fn read_chunked(reader: &mut BufReader<impl Read>) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let size = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size, 16).map_err(|_| format!("a malformed chunk size: {:?}", line.trim()))?;
        if body.len() + size > MAX_BODY {
            return Err("the chunked body is too large".into());
        }
        if size == 0 {
            // Trailers, if any, end with a blank line.
            loop {
                line.clear();
                if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).map_err(|e| e.to_string())?;
        line.clear();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
    }
}

/// Percent-decoding (and `+` as space, for query strings and forms).
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn write_response(writer: &mut impl Write, response: Response, close: bool) -> std::io::Result<()> {
    let Response::Answer { status, headers, body } = response else { return Ok(()) };
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    head.push_str("x-ms-request-id: ");
    head.push_str(&uuid::Uuid::new_v4().to_string());
    head.push_str("\r\n");
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes())?;
    writer.write_all(body.as_bytes())?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::{BufReader, decode, read_chunked};

    #[test]
    fn chunked_bodies_are_read_whole() {
        let wire = b"4\r\n{\"a\"\r\n6;ext=1\r\n: 1}\r\n\r\n0\r\nX-Trailer: y\r\n\r\nNEXT";
        let mut reader = BufReader::new(&wire[..]);
        assert_eq!(read_chunked(&mut reader).unwrap(), b"{\"a\": 1}\r\n");
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
        assert_eq!(rest, "NEXT", "the next request starts where the body ends");
        assert!(read_chunked(&mut BufReader::new(&b"zz\r\n"[..])).is_err());
    }

    #[test]
    fn percent_decoding() {
        for (input, expected) in [
            ("roleName%20eq%20%27Reader%27", "roleName eq 'Reader'"),
            ("a+b", "a b"),
            ("%", "%"),
            ("%4", "%4"),
            ("%zz", "%zz"),
            ("plain", "plain"),
        ] {
            assert_eq!(decode(input), expected, "{input}");
        }
    }
}
