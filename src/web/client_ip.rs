//! Who is calling, as far as the network tells: the client address behind trusted proxies.
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::error::AppError;
use crate::state::AppState;

/// The client's address: the socket's peer, or, when that peer is a trusted reverse proxy, the
/// address the proxies name. `X-Forwarded-For` is read from the right, each proxy having
/// appended the address it saw: the first entry that is not a trusted proxy is the client
/// (entries further left are whatever the client chose to send). An entry that does not parse
/// there stops the walk at the proxy that wrote it. Addresses are canonical, so that an IPv4
/// client of a dual-stack listener (`::ffff:a.b.c.d`) is its IPv4 address.
pub struct ClientIp(pub String);

impl ClientIp {
    fn of(req: &HttpRequest) -> String {
        let Some(peer) = req.peer_addr().map(|a| a.ip().to_canonical()) else {
            return "unknown".into();
        };
        let trusted = AppState::of(req)
            .map(|s| s.trusted_proxies.clone())
            .unwrap_or_default();
        let entries: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        client_behind(peer, &trusted, &entries).to_string()
    }
}

/// Walks the forwarding chain from `peer` leftwards while each hop is a trusted proxy.
fn client_behind(peer: IpAddr, trusted: &[IpAddr], forwarded_for: &[&str]) -> IpAddr {
    let mut hop = peer;
    for entry in forwarded_for.iter().rev() {
        if !trusted.contains(&hop) {
            break;
        }
        match parse_forwarded_entry(entry) {
            Some(ip) => hop = ip,
            None => break,
        }
    }
    hop
}

/// One `X-Forwarded-For` entry: an address, possibly with a port, IPv6 possibly in brackets.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })?;
    Some(ip.to_canonical())
}

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ClientIp(Self::of(req))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let proxy = ip("10.0.0.1");
        let trusted = [proxy, ip("10.0.0.2")];
        // Without a trusted peer the header is ignored.
        assert_eq!(
            client_behind(ip("198.51.100.9"), &trusted, &["203.0.113.5"]),
            ip("198.51.100.9")
        );
        // The client's own entries on the left do not count.
        assert_eq!(
            client_behind(proxy, &trusted, &["6.6.6.6", "203.0.113.5", "10.0.0.2"]),
            ip("203.0.113.5")
        );
        // Ports and brackets are stripped; mapped addresses are canonical.
        assert_eq!(
            client_behind(proxy, &trusted, &["203.0.113.5:4711"]),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_behind(proxy, &trusted, &["[2001:db8::7]:443"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_behind(proxy, &trusted, &["[2001:db8::7]"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_behind(proxy, &trusted, &["::ffff:203.0.113.5"]),
            ip("203.0.113.5")
        );
        // An entry that does not parse: the proxy that wrote it is the client as far as we know,
        // not the client-chosen entry further left.
        assert_eq!(
            client_behind(proxy, &trusted, &["6.6.6.6", "garbage"]),
            proxy
        );
        assert_eq!(
            client_behind(proxy, &trusted, &["6.6.6.6", "bad", "10.0.0.2"]),
            ip("10.0.0.2")
        );
    }
}
