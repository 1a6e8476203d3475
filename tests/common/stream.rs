//! A multipart upload written to a raw socket chunk by chunk while the answer is read, so a
//! test can see the server answer before the body was all sent, and the body never has to
//! be in the test's memory.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::PNG;

const BOUNDARY: &str = "odrdeskStreamBoundary";
const CHUNK: usize = 64 * 1024;

/// A body: text fields first, then files of the given sizes (a PNG header, then zeros).
pub struct Body<'a> {
    pub fields: Vec<(&'a str, &'a str)>,
    pub file_field: &'a str,
    pub files: Vec<u64>,
}

/// What the server answered, and how much of the body was sent by then.
#[derive(Debug)]
pub struct Streamed {
    pub status: u16,
    pub head: String,
    pub body: String,
    pub sent: u64,
    pub total: u64,
}

impl Body<'_> {
    fn text_part(name: &str, value: &str) -> String {
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    }

    fn file_head(&self, i: usize) -> String {
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"photo{i}.png\"\r\nContent-Type: image/png\r\n\r\n",
            self.file_field
        )
    }

    fn total(&self) -> u64 {
        let texts: usize = self
            .fields
            .iter()
            .map(|(n, v)| Self::text_part(n, v).len())
            .sum();
        let files: u64 = (0..self.files.len())
            .map(|i| self.file_head(i).len() as u64 + self.files[i] + 2)
            .sum();
        texts as u64 + files + format!("--{BOUNDARY}--\r\n").len() as u64
    }
}

/// Posts `body` to `path` on `addr` ("127.0.0.1:port"), `pause` before the last file's
/// bytes if given, and stops writing as soon as an answer arrives.
pub async fn post(
    addr: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &Body<'_>,
    pause: Option<Duration>,
) -> Streamed {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    let total = body.total();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {total}\r\nConnection: close\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    // Done once the whole answer is in: the server may keep the socket open a while after.
    let reader = tokio::spawn(async move {
        let mut answer = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        while !complete(&answer) {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
        answer
    });
    let mut sent = 0u64;
    let mut write = async |bytes: &[u8], sent: &mut u64| -> bool {
        if reader.is_finished() || wr.write_all(bytes).await.is_err() {
            return false;
        }
        *sent += bytes.len() as u64;
        true
    };
    let mut open = write(head.as_bytes(), &mut 0).await;
    for (name, value) in &body.fields {
        open = open && write(Body::text_part(name, value).as_bytes(), &mut sent).await;
    }
    let zeros = vec![0u8; CHUNK];
    for (i, size) in body.files.iter().enumerate() {
        open = open && write(body.file_head(i).as_bytes(), &mut sent).await;
        open = open && write(PNG, &mut sent).await;
        if i + 1 == body.files.len()
            && let Some(pause) = pause
        {
            tokio::time::sleep(pause).await;
        }
        let mut left = size - PNG.len() as u64;
        while open && left > 0 {
            let n = left.min(CHUNK as u64) as usize;
            open = write(&zeros[..n], &mut sent).await;
            left -= n as u64;
        }
        open = open && write(b"\r\n", &mut sent).await;
    }
    if open {
        write(format!("--{BOUNDARY}--\r\n").as_bytes(), &mut sent).await;
    }
    drop(wr);
    let answer = tokio::time::timeout(Duration::from_secs(30), reader)
        .await
        .expect("an answer within 30 s")
        .expect("reader");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Streamed {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
        sent,
        total,
    }
}

/// A head and as many body bytes as its Content-Length says.
fn complete(answer: &[u8]) -> bool {
    let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&answer[..end]);
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    answer.len() - end - 4 >= length
}
