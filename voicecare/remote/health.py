"""``doctor``'s view of the remote services: every one that audio or words may go to, and whether it answers.

A remote that does not answer is a warning, not a failure: the local recognizer and voice take over.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Mapping

from voicecare.config import Config
from voicecare.errors import VoicecareError
from voicecare.remote.wiring import remote_services, token_path

NAME = "remote"


@dataclass(frozen=True, slots=True)
class RemoteHealth:
    """How the remote services answered, in the words ``voicecare doctor`` prints (``status`` is
    ``ok``, ``warn`` or ``fail``); the remote package keeps its own type so it needs nothing of the doctor's."""

    name: str
    status: str
    detail: str
    fix: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)


def check_remote(config: Config) -> RemoteHealth:
    """One line naming each remote service in use (or that nothing leaves the device), probed."""
    try:
        services = remote_services(config)
    except VoicecareError as exc:
        return RemoteHealth(NAME, "fail", exc.what, exc.fix)
    if not services:
        return RemoteHealth(NAME, "ok", "none: nothing is sent off this device; Home Assistant announcements "
                           "are off ([homeassistant] url not set)", "", {"services": []})
    parts, problems = [], []
    for service in services:
        problem = _probe(config, service.role, service.address)
        parts.append(f"{service.role} → {service.address} ({service.sends}){'' if problem is None else ' ' + problem}")
        if problem is not None:
            problems.append(problem)
    detail = "; ".join(parts)
    values = {"services": [{"role": s.role, "address": s.address} for s in services]}
    if problems:
        return RemoteHealth(NAME, "warn", detail, "start the remote service or correct its address; "
                           "until then the local recognizer and voice are used", values)
    return RemoteHealth(NAME, "ok", detail, "", values)


def _probe(config: Config, role: str, address: str) -> str | None:
    """None when the service answers as it should, else a few words on what is wrong."""
    if role == "announcements":
        return _probe_home_assistant(config)
    from wyoming.info import Describe, Info

    from voicecare.remote.client import RemoteFailed, RemoteSettings, run_exchange

    try:
        run_exchange(address, [Describe().event()], lambda e: Info.is_type(e.type),
                     RemoteSettings(connect_timeout_seconds=2.0, timeout_seconds=3.0))
    except RemoteFailed as exc:
        return f"unreachable: {exc}"
    return None


def _probe_home_assistant(config: Config) -> str | None:
    from voicecare.remote.announce import read_token

    path = token_path(config)
    if path is None:
        return "no token_file set"
    try:
        token = read_token(path)
    except VoicecareError as exc:
        return exc.what
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(config.homeassistant.url + "/api/", headers={"Authorization": f"Bearer {token}"})
    try:
        with opener.open(request, timeout=config.homeassistant.timeout_seconds) as response:
            json.loads(response.read(4096) or b"{}")
    except urllib.error.HTTPError as exc:
        return "the token was refused (HTTP 401)" if exc.code == 401 else f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return f"unreachable: {getattr(exc, 'reason', exc)}"
    return None
