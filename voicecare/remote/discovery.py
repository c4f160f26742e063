"""Zeroconf: the service says ``_wyoming._tcp.local.`` so Home Assistant finds it (the optional extra).

Without the ``zeroconf`` package, or on a loopback address, nothing is advertised and the log says how
to add the service by host and port instead.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

log = logging.getLogger(__name__)

SERVICE_TYPE = "_wyoming._tcp.local."


async def advertise(name: str, host: str, port: int) -> Any | None:
    """Register the service; the handle to ``withdraw`` later, or None when it is not advertised."""
    if host.startswith("127.") or host in ("localhost", "::1"):
        log.info("not advertised over zeroconf on a loopback address")
        return None
    try:
        from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf
    except ImportError:
        log.warning("zeroconf is not installed (pip install 'voicecare[homeassistant]'); "
                    "add the service in Home Assistant by host and port %d", port)
        return None
    address = _address(host)
    if address is None:
        log.warning("no network address to advertise; add the service in Home Assistant by host and port %d", port)
        return None
    zeroconf = AsyncZeroconf()
    info = AsyncServiceInfo(SERVICE_TYPE, f"{name}.{SERVICE_TYPE}", addresses=[socket.inet_aton(address)], port=port)
    await zeroconf.async_register_service(info)
    log.info("advertised as %s on %s:%d", name, address, port)
    return zeroconf, info


async def withdraw(handle: Any | None) -> None:
    """Take the advertisement back (on a clean stop)."""
    if handle is None:
        return
    zeroconf, info = handle
    await zeroconf.async_unregister_service(info)
    await zeroconf.async_close()


def _address(host: str) -> str | None:
    """The IPv4 address to advertise: the bound one, or the one the default route uses for 0.0.0.0."""
    if host not in ("0.0.0.0", ""):
        try:
            return socket.gethostbyname(host)
        except OSError:
            return None
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("224.0.0.251", 5353))  # a UDP connect sends nothing; it only picks the interface
        return probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
