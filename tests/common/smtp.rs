//! A real SMTP server on loopback for tests: the `mailin` protocol state machine behind a
//! Tokio listener. It keeps every message it accepts and stops when dropped.

use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin::{Action, Handler, Response, SessionBuilder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use super::{Backend, TestApp};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("a parsable message")
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    pub fn body_text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|b| b.into_owned())
            .unwrap_or_default()
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_owned()
    }
}

type Inbox = Arc<Mutex<Vec<Received>>>;

impl TestApp {
    /// A test app that sends its mail to a new SMTP server on loopback, polling the outbox
    /// often so that tests wait little; the server lives as long as the returned value.
    pub async fn spawn_with_smtp(backend: &Backend) -> (TestApp, SmtpServer) {
        let smtp = SmtpServer::start().await;
        let url = smtp.url();
        let app = TestApp::spawn_with(backend, |s| {
            s.smtp_url = Some(url);
            s.mail_poll_ms = 50;
        })
        .await;
        (app, smtp)
    }
}

pub struct SmtpServer {
    pub port: u16,
    inbox: Inbox,
    task: JoinHandle<()>,
}

impl SmtpServer {
    /// Starts on a free loopback port.
    pub async fn start() -> SmtpServer {
        SmtpServer::start_on(0).await
    }

    /// Starts on `port` (0 picks a free one).
    pub async fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind SMTP port");
        let port = listener.local_addr().expect("local addr").port();
        let inbox: Inbox = Arc::default();
        let task = tokio::spawn(accept_loop(listener, inbox.clone()));
        SmtpServer { port, inbox, task }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits until at least `n` messages arrived (or `timeout` passed) and returns them all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.messages();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // Dropping the accept task drops its listener and every open session with it.
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, inbox: Inbox) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, peer)) = accepted {
                    sessions.spawn(session(stream, peer.ip(), inbox.clone()));
                }
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

struct Collect {
    inbox: Inbox,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collect {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.inbox
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Received {
                from: std::mem::take(&mut self.from),
                to: std::mem::take(&mut self.to),
                data: std::mem::take(&mut self.data),
            });
        mailin::response::OK
    }
}

async fn session(stream: TcpStream, peer: IpAddr, inbox: Inbox) {
    let handler = Collect {
        inbox,
        from: String::new(),
        to: Vec::new(),
        data: Vec::new(),
    };
    let mut smtp = SessionBuilder::new("odrdesk-test").build(peer, handler);
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    if reply(&mut write, &smtp.greeting()).await.is_err() {
        return;
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let response = smtp.process(&line);
        match response.action {
            Action::Reply => {
                if reply(&mut write, &response).await.is_err() {
                    return;
                }
            }
            Action::Close => {
                let _ = reply(&mut write, &response).await;
                return;
            }
            Action::NoReply | Action::UpgradeTls => {}
        }
    }
}

async fn reply(write: &mut tokio::net::tcp::OwnedWriteHalf, response: &Response) -> io::Result<()> {
    let mut out = Vec::new();
    response.write_to(&mut out)?;
    write.write_all(&out).await?;
    write.flush().await
}
