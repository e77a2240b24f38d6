"""The SSRF guard: which address may a request connect to?

`AddressGuard.check` turns a URL's host and port into a `Target`: the one address the
connection will be pinned to. A host is refused unless EVERY address it resolves to is
globally routable, after unwrapping IPv6 forms that embed an IPv4 address (IPv4-mapped,
6to4, NAT64). Hosts listed in `Settings.resolve_overrides` (test-only, like
`curl --resolve`) map to their given address and are allowed even when that address is
loopback; every other host stays guarded.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import BlockedURL, FetchError, SettingsError
from ..settings import Settings

Resolver = Callable[[str], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Refused on top of `is_global`, which the Python version in use may not cover fully.
_EXTRA_BLOCKED: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.ip_network("0.0.0.0/8"), "'this network' (0.0.0.0/8)"),
    (ipaddress.ip_network("100.64.0.0/10"), "shared address space (100.64.0.0/10)"),
    (ipaddress.ip_network("169.254.0.0/16"), "link-local / cloud metadata (169.254.0.0/16)"),
    (ipaddress.ip_network("::/96"), "IPv4-compatible IPv6 (::/96)"),
    (ipaddress.ip_network("::ffff:0:0:0/96"), "IPv4-translated IPv6 (::ffff:0:0/96)"),
    (ipaddress.ip_network("fec0::/10"), "site-local IPv6 (fec0::/10, deprecated)"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "local-use NAT64 (64:ff9b:1::/48)"),
    (ipaddress.ip_network("2001::/32"), "Teredo tunnel (2001::/32)"),
)
_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_ODD_IPV4_CHARS = frozenset("0123456789abcdefx.")


@dataclass(frozen=True)
class Target:
    """Where one request goes: `host` as written in the URL, the checked `address` and
    the `port` to connect to (the URL's, or an override's)."""

    host: str
    address: str
    port: int


def blocked_reason(ip: IPAddress) -> str | None:
    """Return why `ip` must not be contacted, or None when it is globally routable."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = blocked_reason(embedded)
            return f"embeds {embedded}: {inner}" if inner else None
    if ip.is_loopback or ip.is_unspecified:  # ::1 and :: sit inside ::/96: name them
        return _describe_non_global(ip)
    for network, label in _EXTRA_BLOCKED:
        if ip.version == network.version and ip in network:
            return label
    if ip.is_multicast:
        return "multicast"
    if not ip.is_global:
        return _describe_non_global(ip)
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _describe_non_global(ip: IPAddress) -> str:
    for flag in ("loopback", "unspecified", "link_local", "private", "reserved"):
        if getattr(ip, f"is_{flag}"):
            return flag.replace("_", "-")
    return "not globally routable"


def parse_ip_literal(host: str) -> IPAddress | None:
    """Return the address `host` denotes when it is an IP literal, else None.

    IPv4 is read as the OS reads it (`socket.inet_aton`): 2130706433, 0177.0.0.1 and
    0x7f.1 all mean 127.0.0.1.
    """
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if not bare or not set(bare.lower()) <= _ODD_IPV4_CHARS:
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def system_resolver(host: str) -> list[str]:
    """Resolve `host` with getaddrinfo; returns unique addresses in the OS's order.

    Raises OSError (socket.gaierror) when the name does not resolve.
    """
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    addresses = [str(info[4][0]).split("%", 1)[0] for info in infos]
    return list(dict.fromkeys(addresses))


def _parse_overrides(pairs: tuple[tuple[str, str], ...]) -> Mapping[str, tuple[str, int | None]]:
    parsed: dict[str, tuple[str, int | None]] = {}
    for host, value in pairs:
        address, port = _split_address_port(value)
        if parse_ip_literal(address) is None:
            raise SettingsError(f"resolve_overrides: {value!r} for {host!r} is not an IP address")
        parsed[host.lower().rstrip(".")] = (str(parse_ip_literal(address)), port)
    return parsed


def _split_address_port(value: str) -> tuple[str, int | None]:
    if value.startswith("["):
        address, _, rest = value[1:].partition("]")
        port = rest.removeprefix(":")
        return address, int(port) if port else None
    if value.count(":") == 1:
        address, port = value.split(":")
        if not port.isdigit():
            raise SettingsError(f"resolve_overrides: bad port in {value!r}")
        return address, int(port)
    return value, None


class AddressGuard:
    """Decides, per request, which checked address to connect to (or refuses)."""

    def __init__(self, settings: Settings, resolver: Resolver | None = None) -> None:
        self._resolver = resolver or system_resolver
        self._overrides = _parse_overrides(settings.resolve_overrides)

    def check(self, url: str, host: str, port: int, *, trusted: bool = False) -> Target:
        """Return the Target to connect to for `host`:`port` (named in `url`).

        `trusted` allows non-global addresses (a URL the user typed). Raises BlockedURL
        when any resolved address is not global, FetchError when the name does not resolve.
        """
        name = host.lower()
        override = self._overrides.get(name.rstrip("."))
        if override is not None:
            address, override_port = override
            return Target(name, address, override_port or port)
        addresses = self._addresses(url, name)
        if not trusted:
            for ip in addresses:
                reason = blocked_reason(ip)
                if reason is not None:
                    raise BlockedURL(url, f"{host} is a non-global address {ip}: {reason}")
        return Target(name, str(addresses[0]), port)

    def _addresses(self, url: str, host: str) -> list[IPAddress]:
        literal = parse_ip_literal(host)
        if literal is not None:
            return [literal]
        try:
            resolved = self._resolver(host)
        except OSError as exc:
            raise FetchError(url, f"cannot resolve {host}: {exc}") from exc
        addresses = [parse_ip_literal(a) for a in resolved]
        checked = [a for a in addresses if a is not None]
        if not checked or len(checked) != len(addresses):
            raise FetchError(url, f"cannot resolve {host}: no usable address in {resolved!r}")
        return checked
