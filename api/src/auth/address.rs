//! Where a request comes from: the client's address as seen through the
//! proxies the operator trusts, and the bucket that address is counted in.
//!
//! `X-Forwarded-For` is believed only when the connection comes from a
//! configured proxy (`CRM_TRUSTED_PROXIES`), and then only up to the first
//! address that is not itself a trusted proxy: a client cannot choose its
//! own address by sending the header. IPv6 clients are counted per /64,
//! the block one subscriber usually holds, so rotating addresses within
//! it does not multiply an allowance.

use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

/// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`) or one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` lies in this network (IPv4-mapped IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address = canonical(
            IpAddr::from_str(address)
                .map_err(|_| format!("`{text}` is not an address or network"))?,
        );
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}` has a prefix length outside 0..={max}"))?,
        };
        Ok(Network { address, prefix })
    }
}

/// Parses a comma-separated list of networks.
pub fn parse_networks(text: &str) -> Result<Vec<Network>, String> {
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(Network::from_str)
        .collect()
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the right-most address of `X-Forwarded-For` (all its header lines in
/// order) that is not a trusted proxy.
pub fn client_ip<'a>(
    peer: Option<IpAddr>,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[Network],
) -> Option<IpAddr> {
    let peer = canonical(peer?);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = forwarded_for.flat_map(|line| line.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match IpAddr::from_str(hop.trim()) {
            Ok(ip) => {
                client = canonical(ip);
                if !is_trusted(client) {
                    break;
                }
            }
            // What a proxy did not write cannot be believed further.
            Err(_) => break,
        }
    }
    Some(client)
}

/// The rate-limit bucket of an address: IPv4 as it is, IPv6 by its /64.
pub fn bucket(ip: &str) -> String {
    match IpAddr::from_str(ip).map(canonical) {
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) as the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn networks_match_their_addresses_only() {
        let net: Network = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains(ip("10.1.200.3")));
        assert!(net.contains(ip("::ffff:10.1.0.9")));
        assert!(!net.contains(ip("10.2.0.1")));
        let v6: Network = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")));
        assert!(!v6.contains(ip("fe80::1")));
        let one: Network = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        assert!("0.0.0.0/0"
            .parse::<Network>()
            .unwrap()
            .contains(ip("8.8.8.8")));
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("proxy".parse::<Network>().is_err());
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted = parse_networks("127.0.0.1, 10.0.0.0/8").unwrap();
        let xff = |lines: &'static [&'static str]| lines.iter().copied();
        // A direct client's header is ignored.
        assert_eq!(
            client_ip(Some(ip("203.0.113.7")), xff(&["1.2.3.4"]), &trusted),
            Some(ip("203.0.113.7"))
        );
        // Through the proxy: the right-most untrusted hop, not what the client wrote first.
        assert_eq!(
            client_ip(
                Some(ip("127.0.0.1")),
                xff(&["6.6.6.6, 198.51.100.9", "10.0.0.5"]),
                &trusted
            ),
            Some(ip("198.51.100.9"))
        );
        // No header through the proxy: the proxy itself.
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), xff(&[]), &trusted),
            Some(ip("127.0.0.1"))
        );
        // Garbage stops the walk at the last address a proxy wrote.
        assert_eq!(
            client_ip(
                Some(ip("10.0.0.1")),
                xff(&["198.51.100.9, nonsense"]),
                &trusted
            ),
            Some(ip("10.0.0.1"))
        );
        // Without trusted proxies the header never counts.
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), xff(&["1.2.3.4"]), &[]),
            Some(ip("127.0.0.1"))
        );
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64() {
        assert_eq!(bucket("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            bucket("2001:db8:1:2:bbbb::9"),
            bucket("2001:db8:1:2:aaaa::1")
        );
        assert_ne!(bucket("2001:db8:1:3::1"), bucket("2001:db8:1:2::1"));
        assert_eq!(bucket("192.0.2.1"), "192.0.2.1");
        assert_eq!(bucket("::ffff:192.0.2.1"), "192.0.2.1");
    }
}
