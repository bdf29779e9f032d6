//! The guard against server-side request forgery: webhook requests go only
//! to public addresses. A name is resolved once, the private, loopback,
//! link-local, unique-local, shared (CGNAT), multicast, documentation and
//! otherwise reserved addresses are dropped (IPv4, IPv6, and IPv4 written
//! as IPv6), and the connection is made to an address that passed, so a
//! second lookup cannot swap it. Networks the operator allows
//! (`CRM_WEBHOOK_ALLOWED_NETWORKS`, for development) pass.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use crate::auth::address::Network;

/// Networks no webhook may reach unless allowed.
const REFUSED: &[&str] = &[
    // IPv4: "this network", private, shared (CGNAT), loopback, link-local,
    // IETF protocol assignments, documentation, 6to4 relay, benchmarking,
    // multicast, reserved and broadcast.
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    // IPv6: unspecified, loopback and IPv4-compatible, NAT64 (which reaches
    // IPv4 addresses of any kind), discard, IETF assignments (Teredo among
    // them), documentation, 6to4, unique-local, link-local, site-local,
    // multicast. IPv4-mapped addresses are checked as the IPv4 they are.
    "::/96",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "2002::/16",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
];

fn refused_networks() -> &'static [Network] {
    static NETWORKS: OnceLock<Vec<Network>> = OnceLock::new();
    NETWORKS.get_or_init(|| {
        REFUSED
            .iter()
            .map(|n| Network::from_str(n).expect("the refused networks are valid"))
            .collect()
    })
}

/// Whether a webhook may connect to `ip`.
pub fn permitted(ip: IpAddr, allowed: &[Network]) -> bool {
    allowed.iter().any(|n| n.contains(ip)) || !refused_networks().iter().any(|n| n.contains(ip))
}

/// A host that resolves to no address a webhook may reach.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to no public address (private, loopback, link-local or reserved addresses are refused)")]
pub struct AddressRefused {
    pub host: String,
}

/// The address literal in `url`'s host, if it is one (`[::1]` included).
pub fn literal_ip(url: &reqwest::Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Refuses a URL whose host is an address literal a webhook may not reach
/// (names are checked when they are resolved, at every attempt).
pub fn check_literal(url: &reqwest::Url, allowed: &[Network]) -> Result<(), AddressRefused> {
    match literal_ip(url) {
        Some(ip) if !permitted(ip, allowed) => Err(AddressRefused {
            host: ip.to_string(),
        }),
        _ => Ok(()),
    }
}

/// The resolver of the webhook HTTP client: the system's resolver, then
/// the guard; the client connects only to the addresses returned here.
#[derive(Clone, Debug)]
pub struct GuardedResolver {
    allowed: Arc<Vec<Network>>,
}

impl GuardedResolver {
    /// A resolver that lets `allowed` through besides public addresses.
    pub fn new(allowed: Vec<Network>) -> Self {
        GuardedResolver {
            allowed: Arc::new(allowed),
        }
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allowed = self.allowed.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let passed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| permitted(a.ip(), &allowed))
                .collect();
            if passed.is_empty() {
                return Err(Box::new(AddressRefused { host }) as _);
            }
            Ok(Box::new(passed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(ip: &str) -> bool {
        permitted(ip.parse().unwrap(), &[])
    }

    #[test]
    fn refuses_internal_addresses_of_both_families() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "2001:db8::1",
        ] {
            assert!(!ok(ip), "{ip} should be refused");
        }
    }

    #[test]
    fn lets_public_addresses_and_allowed_networks_through() {
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(ok(ip), "{ip} should pass");
        }
        let allowed = vec![Network::from_str("127.0.0.0/8").unwrap()];
        assert!(permitted("127.0.0.1".parse().unwrap(), &allowed));
        assert!(permitted("::ffff:127.0.0.1".parse().unwrap(), &allowed));
        assert!(!permitted("10.0.0.1".parse().unwrap(), &allowed));
    }

    #[test]
    fn address_literals_in_urls_are_checked() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        assert!(check_literal(&url("https://127.0.0.1/hook"), &[]).is_err());
        assert!(check_literal(&url("https://[::1]:8443/hook"), &[]).is_err());
        assert!(check_literal(&url("https://[::ffff:7f00:1]/"), &[]).is_err());
        assert!(check_literal(&url("https://2130706433/"), &[]).is_err());
        assert!(check_literal(&url("https://example.com/"), &[]).is_ok());
    }
}
