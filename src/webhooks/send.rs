//! Sending one webhook: `POST` the stored JSON with `X-Odrdesk-Timestamp`,
//! `X-Odrdesk-Signature` and `X-Odrdesk-Event-Id`, over rustls, with a bounded time, no
//! redirects, no proxy, a capped read of the answer, and only to public addresses (each name
//! is resolved by a resolver that drops private and loopback ones, so a name that changes
//! what it points to after registration gains nothing).

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::seal::{WebhookSecret, signature};
use crate::domain::webhook::WebhookUrl;

/// The longest one attempt may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of an answer read (and thrown away) at most.
pub const ANSWER_BYTES: usize = 16 * 1024;

/// Addresses a webhook may never reach in production: loopback, private, link-local,
/// shared (CGNAT), unspecified, multicast, reserved (`240.0.0.0/4`), IETF protocol
/// (`192.0.0.0/24`) and documentation ranges, IPv6 unique-local too, and any IPv6 address
/// that carries a private IPv4 one (mapped, compatible, NAT64, 6to4).
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || (a == 198 && (b == 18 || b == 19))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || embedded_v4(v6).is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// The IPv4 address an IPv6 one carries and leads to: IPv4-mapped `::ffff:a.b.c.d`,
/// IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48` (last 32 bits), and
/// 6to4 `2002:AABB:CCDD::/48`.
fn embedded_v4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = v6.segments();
    let last = || std::net::Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7]));
    if let Some(v4) = v6.to_ipv4_mapped() {
        Some(v4)
    } else if s[..6] == [0; 6]
        || (s[0], s[1]) == (0x64, 0xff9b) && s[2..6] == [0; 4]
        || (s[0], s[1], s[2]) == (0x64, 0xff9b, 1)
    {
        Some(last())
    } else if s[0] == 0x2002 {
        Some(std::net::Ipv4Addr::from(
            (u32::from(s[1]) << 16) | u32::from(s[2]),
        ))
    } else {
        None
    }
}

/// At registration: the URL's host must resolve, and (unless `allow_private`) only to public
/// addresses. Blocking.
pub fn check_destination(url: &WebhookUrl, allow_private: bool) -> Result<(), String> {
    let addrs: Vec<SocketAddr> = (url.host(), url.port())
        .to_socket_addrs()
        .map(Iterator::collect)
        .unwrap_or_default();
    if addrs.is_empty() {
        return Err("无法解析接收地址的主机名".into());
    }
    if !allow_private && addrs.iter().any(|a| is_private(a.ip())) {
        return Err("接收地址指向内网或本机地址，不予接受".into());
    }
    Ok(())
}

/// Resolves names, keeping public addresses only unless private ones are allowed.
struct Guarded {
    allow_private: bool,
}

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found
                .filter(|a| allow_private || !is_private(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(format!("{host}: no public address").into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

fn client(allow_private: bool) -> Result<&'static reqwest::Client, String> {
    static CLIENTS: [OnceLock<Result<reqwest::Client, String>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    CLIENTS[usize::from(allow_private)]
        .get_or_init(|| {
            crate::auth::wechat::install_crypto_provider();
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .dns_resolver(Arc::new(Guarded { allow_private }))
                .user_agent("odrdesk-webhooks/1")
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// What an attempt came to: the status if the endpoint answered, else why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub status: Option<u16>,
    pub error: Option<String>,
}

impl Attempt {
    fn failed(error: impl Into<String>) -> Attempt {
        Attempt {
            status: None,
            error: Some(error.into()),
        }
    }
}

/// Posts `body` to `url`, signed at `timestamp` (Unix seconds) with `secret`.
pub async fn post(
    url: &str,
    secret: &WebhookSecret,
    event_id: &str,
    body: &str,
    timestamp: i64,
    allow_private: bool,
) -> Attempt {
    let Ok(parsed) = WebhookUrl::parse(url, allow_private) else {
        return Attempt::failed("endpoint URL no longer accepted");
    };
    if let Ok(ip) = parsed.host().parse::<IpAddr>()
        && !allow_private
        && is_private(ip)
    {
        return Attempt::failed("endpoint address is private");
    }
    let client = match client(allow_private) {
        Ok(c) => c,
        Err(e) => return Attempt::failed(e),
    };
    let sent = client
        .post(parsed.as_str())
        .header("content-type", "application/json")
        .header("x-odrdesk-timestamp", timestamp.to_string())
        .header(
            "x-odrdesk-signature",
            signature(secret, timestamp, body.as_bytes()),
        )
        .header("x-odrdesk-event-id", event_id)
        .body(body.to_owned())
        .send()
        .await;
    let mut response = match sent {
        Ok(r) => r,
        Err(e) => return Attempt::failed(e.without_url().to_string()),
    };
    let status = response.status().as_u16();
    // Read a little of the answer so the connection may be reused; never more.
    let mut read = 0usize;
    while read < ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            _ => break,
        }
    }
    Attempt {
        status: Some(status),
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_addresses_are_recognised() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "203.119.0.1", "2400:3200::1"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn an_ipv6_address_carrying_a_private_ipv4_one_is_private() {
        for private in [
            "64:ff9b::10.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b:1::a9fe:a9fe",
            "2002:c0a8:0101::1",
            "2002:7f00:1::",
            "::127.0.0.1",
            "::10.1.2.3",
            "240.0.0.1",
            "255.255.255.254",
            "192.0.0.8",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in [
            "64:ff9b::8.8.8.8",
            "64:ff9b:1::808:808",
            "2002:0808:0808::1",
            "::8.8.8.8",
            "192.0.1.1",
            "223.5.5.5",
        ] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn registration_refuses_a_loopback_destination_unless_allowed() {
        let url = WebhookUrl::parse("https://127.0.0.1:9/hook", false).unwrap();
        assert!(check_destination(&url, false).is_err());
        assert!(check_destination(&url, true).is_ok());
        let name = WebhookUrl::parse("https://localhost:9/hook", false).unwrap();
        assert!(check_destination(&name, false).is_err());
    }
}
