//! Who the client is, for the per-address rate limit: the TCP peer, or, when the peer is a
//! proxy the operator trusts (`--trusted-proxy`), the address that proxy says it served.
//!
//! `X-Forwarded-For` is read from the right: each trusted proxy appends the address it got
//! the request from, so the first entry from the right that is not a trusted proxy is the
//! client. Entries left of it were written by the client itself and prove nothing. From a
//! peer that is not trusted the header is ignored, so nobody can pick their own address.

use std::net::IpAddr;
use std::str::FromStr;

use hyper::header::HeaderMap;

/// An address range such as `10.0.0.0/8`, `::1/128` or a single address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `addr` is inside the range (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, addr: IpAddr) -> bool {
        match (self.network, canonical(addr)) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is; any other address as it is.
pub(crate) fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let bad = || format!("{text:?} is not an IP address or range such as 10.0.0.0/8");
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text.trim(), None),
        };
        let network = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Cidr { network, prefix })
    }
}

/// The client's address for a request that came from `peer`.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |addr: IpAddr| trusted.iter().any(|range| range.contains(addr));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for entry in forwarded.iter().rev() {
        match entry.parse::<IpAddr>() {
            Ok(addr) if is_trusted(addr) => continue,
            Ok(addr) => return addr,
            // A proxy wrote something that is not an address: trust nothing left of it.
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in xff {
            map.append("x-forwarded-for", value.parse().expect("a header value"));
        }
        map
    }

    #[test]
    fn ranges() {
        let private: Cidr = "10.0.0.0/8".parse().expect("a range");
        assert!(private.contains(ip("10.1.2.3")));
        assert!(private.contains(ip("::ffff:10.9.9.9")));
        assert!(!private.contains(ip("11.0.0.1")));
        let one: Cidr = "2001:db8::1".parse().expect("an address");
        assert!(one.contains(ip("2001:db8::1")) && !one.contains(ip("2001:db8::2")));
        let all: Cidr = "0.0.0.0/0".parse().expect("a range");
        assert!(all.contains(ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "proxy", "10.0.0.0/x", ""] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_first_untrusted_address_from_the_right() {
        let trusted = ["10.0.0.0/8".parse().expect("a range")];
        let proxy = ip("10.0.0.5");
        // The client wrote 1.1.1.1 itself; the proxy appended the address it saw.
        assert_eq!(client_address(proxy, &headers(&["1.1.1.1, 203.0.113.7"]), &trusted), ip("203.0.113.7"));
        assert_eq!(client_address(proxy, &headers(&["203.0.113.7", "10.0.0.9"]), &trusted), ip("203.0.113.7"));
        assert_eq!(client_address(proxy, &headers(&[]), &trusted), proxy, "no header: the proxy itself");
        assert_eq!(client_address(proxy, &headers(&["junk, 203.0.113.7, nonsense"]), &trusted), proxy);
        // From a peer nobody trusts the header is ignored.
        assert_eq!(client_address(ip("198.51.100.1"), &headers(&["203.0.113.7"]), &trusted), ip("198.51.100.1"));
        assert_eq!(client_address(ip("198.51.100.1"), &headers(&["203.0.113.7"]), &[]), ip("198.51.100.1"));
    }
}
