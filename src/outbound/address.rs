//! Which IP addresses outbound fetches may reach. Checked on the address actually connected to
//! (after resolution), so a hostname cannot smuggle a private address past it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether outbound fetches may reach addresses outside the public internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressPolicy {
    /// Public unicast addresses only (the default): a URL given by a user, a harvested catalogue
    /// or a redirect cannot make the server reach its own loopback, the local network or a
    /// cloud metadata service.
    PublicOnly,
    /// Any address (`--allow-private-fetch`): a catalogue on the local network, the tests.
    AllowPrivate,
}

impl AddressPolicy {
    /// What makes `ip` unreachable under this policy, or `None` when it may be fetched.
    pub fn refusal(self, ip: IpAddr) -> Option<NonPublic> {
        match self {
            AddressPolicy::PublicOnly => non_public(ip),
            AddressPolicy::AllowPrivate => None,
        }
    }
}

/// The kind of a non-public address, as refusals name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonPublic {
    /// 0.0.0.0/8, `::`.
    Unspecified,
    /// 127.0.0.0/8, `::1`.
    Loopback,
    /// RFC 1918 (10/8, 172.16/12, 192.168/16), IPv6 unique local fc00::/7 and the deprecated
    /// site-local fec0::/10, local-use NAT64 64:ff9b:1::/48.
    Private,
    /// 169.254.0.0/16 (where cloud metadata services answer), fe80::/10.
    LinkLocal,
    /// Carrier-grade NAT, 100.64.0.0/10 (RFC 6598).
    SharedAddressSpace,
    /// 224.0.0.0/4, ff00::/8.
    Multicast,
    /// 255.255.255.255.
    Broadcast,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    /// Not routable on the internet: 240/4, 192.0.0/24, benchmarking 198.18/15, discard-only
    /// 100::/64, the deprecated IPv4-compatible ::/96.
    Reserved,
}

impl fmt::Display for NonPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NonPublic::Unspecified => "an unspecified address",
            NonPublic::Loopback => "a loopback address",
            NonPublic::Private => "a private-network address",
            NonPublic::LinkLocal => "a link-local address (where cloud metadata services answer)",
            NonPublic::SharedAddressSpace => "a carrier-grade NAT address",
            NonPublic::Multicast => "a multicast address",
            NonPublic::Broadcast => "the broadcast address",
            NonPublic::Documentation => "a documentation address",
            NonPublic::Reserved => "a reserved address",
        })
    }
}

/// What keeps `ip` off the public internet, or `None` for a public address.
pub fn non_public(ip: IpAddr) -> Option<NonPublic> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<NonPublic> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        // Linux connects 0.0.0.0 to the local host.
        (0, _, _) => NonPublic::Unspecified,
        (127, _, _) => NonPublic::Loopback,
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => NonPublic::Private,
        (169, 254, _) => NonPublic::LinkLocal,
        (100, 64..=127, _) => NonPublic::SharedAddressSpace,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => NonPublic::Documentation,
        (192, 0, 0) | (198, 18..=19, _) => NonPublic::Reserved,
        (224..=239, _, _) => NonPublic::Multicast,
        _ if ip == Ipv4Addr::BROADCAST => NonPublic::Broadcast,
        (240..=255, _, _) => NonPublic::Reserved,
        _ => return None,
    })
}

fn non_public_v6(ip: Ipv6Addr) -> Option<NonPublic> {
    // Forms that carry an IPv4 address the packet may end up at are judged by that address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return non_public_v4(v4);
    }
    let embedded_v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    Some(match ip.segments() {
        [0, 0, 0, 0, 0, 0, 0, 0] => NonPublic::Unspecified,
        [0, 0, 0, 0, 0, 0, 0, 1] => NonPublic::Loopback,
        // IPv4-compatible (deprecated, RFC 4291).
        [0, 0, 0, 0, 0, 0, _, _] => NonPublic::Reserved,
        // NAT64 well-known prefix (RFC 6052): a gateway translates to the embedded address.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return non_public_v4(embedded_v4(hi, lo)),
        [0x64, 0xff9b, 1, ..] => NonPublic::Private,
        // 6to4 (RFC 3056): relays forward to the IPv4 address in bits 16..48.
        [0x2002, hi, lo, ..] => return non_public_v4(embedded_v4(hi, lo)),
        [0x2001, 0xdb8, ..] => NonPublic::Documentation,
        [0x3fff, second, ..] if second & 0xf000 == 0 => NonPublic::Documentation,
        [0x100, 0, 0, 0, ..] => NonPublic::Reserved,
        [first, ..] if first & 0xfe00 == 0xfc00 => NonPublic::Private,
        [first, ..] if first & 0xffc0 == 0xfe80 => NonPublic::LinkLocal,
        [first, ..] if first & 0xffc0 == 0xfec0 => NonPublic::Private,
        [first, ..] if first & 0xff00 == 0xff00 => NonPublic::Multicast,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(address: &str) -> Option<NonPublic> {
        non_public(address.parse().expect("a test address"))
    }

    #[test]
    fn addresses_outside_every_range_pass() {
        for address in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.215.14",
            "172.15.255.255",
            "172.32.0.0",
            "192.167.255.255",
            "192.169.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "11.0.0.0",
            "9.255.255.255",
            "126.255.255.255",
            "128.0.0.0",
            "223.255.255.255",
            "198.17.255.255",
            "198.20.0.0",
            "192.0.1.255",
            "192.0.3.0",
            "2001:4860:4860::8888",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "fbff:ffff::1",
            "fe00::1",
            "2001:db9::1",
        ] {
            assert_eq!(kind(address), None, "{address} is public");
        }
    }

    #[test]
    fn unspecified_and_this_network_are_refused() {
        for address in ["0.0.0.0", "0.1.2.3", "0.255.255.255", "::"] {
            assert_eq!(kind(address), Some(NonPublic::Unspecified), "{address}");
        }
    }

    #[test]
    fn loopback_is_refused() {
        for address in [
            "127.0.0.1",
            "127.0.0.0",
            "127.255.255.255",
            "127.1.2.3",
            "::1",
        ] {
            assert_eq!(kind(address), Some(NonPublic::Loopback), "{address}");
        }
    }

    #[test]
    fn rfc1918_and_unique_local_are_private() {
        for address in [
            "10.0.0.0",
            "10.255.255.255",
            "172.16.0.0",
            "172.31.255.255",
            "192.168.0.0",
            "192.168.255.255",
            "fc00::",
            "fd12:3456:789a::1",
            "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fec0::1",
            "64:ff9b:1::a00:1",
        ] {
            assert_eq!(kind(address), Some(NonPublic::Private), "{address}");
        }
    }

    #[test]
    fn link_local_and_cloud_metadata_are_refused() {
        for address in [
            "169.254.0.0",
            "169.254.169.254",
            "169.254.255.255",
            "fe80::1",
            "febf:ffff::1",
        ] {
            assert_eq!(kind(address), Some(NonPublic::LinkLocal), "{address}");
        }
    }

    #[test]
    fn carrier_grade_nat_is_refused() {
        for address in ["100.64.0.0", "100.100.100.200", "100.127.255.255"] {
            assert_eq!(
                kind(address),
                Some(NonPublic::SharedAddressSpace),
                "{address}"
            );
        }
    }

    #[test]
    fn multicast_and_broadcast_are_refused() {
        for address in [
            "224.0.0.0",
            "224.0.0.251",
            "239.255.255.255",
            "ff02::1",
            "ff0e::1",
        ] {
            assert_eq!(kind(address), Some(NonPublic::Multicast), "{address}");
        }
        assert_eq!(kind("255.255.255.255"), Some(NonPublic::Broadcast));
    }

    #[test]
    fn documentation_ranges_are_refused() {
        for address in [
            "192.0.2.0",
            "192.0.2.255",
            "198.51.100.7",
            "203.0.113.255",
            "2001:db8::1",
            "3fff::1",
            "3fff:fff::1",
        ] {
            assert_eq!(kind(address), Some(NonPublic::Documentation), "{address}");
        }
    }

    #[test]
    fn reserved_ranges_are_refused() {
        for address in [
            "240.0.0.0",
            "255.255.255.254",
            "192.0.0.8",
            "198.18.0.1",
            "198.19.255.255",
            "100::1",
            "::127.0.0.1",
            "::8.8.8.8",
        ] {
            assert_eq!(kind(address), Some(NonPublic::Reserved), "{address}");
        }
    }

    #[test]
    fn ipv4_mapped_ipv6_is_judged_by_its_ipv4_address() {
        for (address, expected) in [
            ("::ffff:127.0.0.1", NonPublic::Loopback),
            ("::ffff:7f00:1", NonPublic::Loopback),
            ("::ffff:0.0.0.0", NonPublic::Unspecified),
            ("::ffff:10.1.2.3", NonPublic::Private),
            ("::ffff:172.16.0.0", NonPublic::Private),
            ("::ffff:192.168.1.1", NonPublic::Private),
            ("::ffff:169.254.169.254", NonPublic::LinkLocal),
            ("::ffff:100.64.0.1", NonPublic::SharedAddressSpace),
            ("::ffff:224.0.0.1", NonPublic::Multicast),
            ("::ffff:255.255.255.255", NonPublic::Broadcast),
            ("::ffff:192.0.2.1", NonPublic::Documentation),
            ("::ffff:240.0.0.1", NonPublic::Reserved),
        ] {
            assert_eq!(kind(address), Some(expected), "{address}");
        }
        assert_eq!(kind("::ffff:172.15.255.255"), None);
    }

    #[test]
    fn nat64_and_6to4_are_judged_by_their_embedded_ipv4_address() {
        assert_eq!(kind("64:ff9b::7f00:1"), Some(NonPublic::Loopback));
        assert_eq!(kind("64:ff9b::a9fe:a9fe"), Some(NonPublic::LinkLocal));
        assert_eq!(kind("2002:7f00:1::"), Some(NonPublic::Loopback));
        assert_eq!(kind("2002:c0a8:101::1"), Some(NonPublic::Private));
    }

    #[test]
    fn policy_allowing_private_addresses_refuses_nothing() {
        for address in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fd00::1"] {
            let ip = address.parse().expect("a test address");
            assert_eq!(AddressPolicy::AllowPrivate.refusal(ip), None);
            assert!(AddressPolicy::PublicOnly.refusal(ip).is_some());
        }
    }
}
