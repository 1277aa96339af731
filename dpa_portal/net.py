"""The client's address, for lockout, throttles and the audit trail.

X-Forwarded-For is written by whoever sent the request, so it is read only through hops we
trust (TRUSTED_PROXIES): a number of proxies in front of the application, or their addresses
and networks. Walking from the connecting peer towards the client, each trusted hop vouches
for the address it forwarded; the first address no trusted hop stands behind is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _policy(trusted: tuple[str, ...]) -> int | tuple[Network, ...]:
    if len(trusted) == 1 and trusted[0].isdigit():
        return int(trusted[0])
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _address(text: str) -> str:
    text = text.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Any, *_args: Any) -> str:
    """The client's IP address as text ('' when the peer is unknown)."""
    peer = _address(str(request.META.get("REMOTE_ADDR", "")))
    policy = _policy(tuple(settings.TRUSTED_PROXIES or ["0"]))
    forwarded = [_address(part) for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    chain = [*[hop for hop in forwarded if hop], peer]
    if isinstance(policy, int):
        # The last `policy` entries were added by our own proxies; the one before them is the client.
        return chain[max(len(chain) - 1 - policy, 0)] if policy else peer
    for hop in reversed(chain):
        if not _trusted(hop, policy):
            return hop
    return chain[0]
