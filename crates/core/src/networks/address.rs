//! Checking a subnet and gateway before the engine sees them, so the dialog can say which
//! field is wrong and why.

use crate::error::{Error, Result};
use std::net::IpAddr;

/// `(subnet, gateway)` trimmed, each None when empty; an error names the field.
pub(super) fn check(subnet: &str, gateway: &str) -> Result<(Option<String>, Option<String>)> {
    let (subnet, gateway) = (subnet.trim(), gateway.trim());
    if subnet.is_empty() {
        return match gateway.is_empty() {
            true => Ok((None, None)),
            false => Err(Error::invalid("subnet", "A gateway needs a subnet: give the subnet it belongs to, like 172.28.0.0/16.")),
        };
    }
    let (network, prefix) = cidr(subnet)?;
    if gateway.is_empty() {
        return Ok((Some(subnet.to_string()), None));
    }
    let gw: IpAddr =
        gateway.parse().map_err(|_| Error::invalid("gateway", format!("“{gateway}” is not an IP address: write one like 172.28.0.1.")))?;
    if !contains(network, prefix, gw) {
        return Err(Error::invalid("gateway", format!("Gateway {gateway} is outside subnet {subnet}: pick an address inside it.")));
    }
    Ok((Some(subnet.to_string()), Some(gateway.to_string())))
}

fn cidr(subnet: &str) -> Result<(IpAddr, u8)> {
    let bad = || Error::invalid("subnet", format!("“{subnet}” is not a subnet: write an address and prefix length, like 172.28.0.0/16."));
    let (addr, prefix) = subnet.split_once('/').ok_or_else(bad)?;
    let addr: IpAddr = addr.parse().map_err(|_| bad())?;
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if prefix > max {
        return Err(bad());
    }
    if host_bits(addr, prefix) != 0 {
        let hint = if addr.is_ipv4() { " (like 172.28.0.0/16)" } else { "" };
        return Err(Error::invalid("subnet", format!("{subnet} has host bits set: a subnet starts at its network address{hint}.")));
    }
    Ok((addr, prefix))
}

fn bits(ip: IpAddr) -> (u128, u32) {
    match ip {
        IpAddr::V4(v4) => (u32::from(v4) as u128, 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    }
}

fn host_bits(ip: IpAddr, prefix: u8) -> u128 {
    let (value, width) = bits(ip);
    let host = width - prefix as u32;
    if host == 0 {
        0
    } else {
        value & (u128::MAX >> (128 - host))
    }
}

fn contains(network: IpAddr, prefix: u8, ip: IpAddr) -> bool {
    if network.is_ipv4() != ip.is_ipv4() {
        return false;
    }
    let ((n, width), (i, _)) = (bits(network), bits(ip));
    let host = width - prefix as u32;
    host >= 128 || (n >> host) == (i >> host)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_a_subnet_with_or_without_gateway() {
        assert_eq!(check("", "").unwrap(), (None, None));
        assert_eq!(check(" 172.28.0.0/16 ", "").unwrap(), (Some("172.28.0.0/16".into()), None));
        assert_eq!(check("172.28.0.0/16", "172.28.5.254").unwrap().1.as_deref(), Some("172.28.5.254"));
        assert!(check("fd00:1::/64", "fd00:1::1").is_ok());
    }

    #[test]
    fn names_the_field_at_fault() {
        let field = |s: &str, g: &str| check(s, g).unwrap_err().field();
        assert_eq!(field("", "10.0.0.1"), Some("subnet"));
        assert_eq!(field("10.0.0.0", ""), Some("subnet"));
        assert_eq!(field("10.0.0.0/33", ""), Some("subnet"));
        assert_eq!(field("300.0.0.0/8", ""), Some("subnet"));
        assert_eq!(field("10.0.0.1/24", ""), Some("subnet"));
        assert_eq!(field("10.0.0.0/24", "10.0.1.1"), Some("gateway"));
        assert_eq!(field("10.0.0.0/24", "fd00::1"), Some("gateway"));
        assert_eq!(field("10.0.0.0/24", "router"), Some("gateway"));
        let e = check("10.0.0.0/24", "10.0.1.1").unwrap_err().to_string();
        assert_eq!(e, "Gateway 10.0.1.1 is outside subnet 10.0.0.0/24: pick an address inside it.");
    }
}
