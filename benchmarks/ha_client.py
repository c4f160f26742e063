"""The Home Assistant side of ``benchmarks/ha_check.py``: runs in Home Assistant's own virtualenv (its
aiohttp, nothing of voicecare), onboards a fresh core through its REST API, adds Wyoming services by the
config flow, and plays the turns it is given through ``/api/conversation/process`` and an Assist pipeline
over the websocket API. One JSON object per line on stdout for the check to read; it keeps no state.

``python ha_client.py URL COMMAND JSON`` with COMMAND one of: onboard, add-wyoming, entities, pipeline,
converse, process, run-pipeline, service, notifications. Only standard library and aiohttp, loopback only.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import wave
from typing import Any

import aiohttp

CLIENT_ID = "http://127.0.0.1/"


def out(**values: Any) -> None:
    print(json.dumps(values), flush=True)


async def rest(session: aiohttp.ClientSession, url: str, method: str, path: str, token: str | None = None,
               body: Any = None, form: dict[str, str] | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.request(method, url + path, json=body, data=form, headers=headers) as response:
        text = await response.text()
        try:
            return response.status, json.loads(text) if text else None
        except ValueError:
            return response.status, text


class Socket:
    """Home Assistant's websocket API: authenticate, then numbered commands."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self.session, self.url, self.token = session, url, token
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._id = 0

    async def __aenter__(self) -> "Socket":
        self.ws = await self.session.ws_connect(self.url.replace("http", "ws", 1) + "/api/websocket")
        await self.ws.receive_json()
        await self.ws.send_json({"type": "auth", "access_token": self.token})
        answer = await self.ws.receive_json()
        if answer.get("type") != "auth_ok":
            raise RuntimeError(f"websocket authentication failed: {answer}")
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        assert self.ws is not None
        await self.ws.close()

    async def send(self, message: dict[str, Any]) -> int:
        assert self.ws is not None
        self._id += 1
        await self.ws.send_json({"id": self._id, **message})
        return self._id

    async def call(self, message: dict[str, Any]) -> Any:
        number = await self.send(message)
        while True:
            answer = await self.receive()
            if answer.get("id") == number and answer.get("type") == "result":
                if not answer.get("success"):
                    raise RuntimeError(f"{message['type']} failed: {answer.get('error')}")
                return answer.get("result")

    async def receive(self, timeout: float = 60.0) -> dict[str, Any]:
        assert self.ws is not None
        return await asyncio.wait_for(self.ws.receive_json(), timeout)


async def onboard(session: aiohttp.ClientSession, url: str, args: dict[str, Any]) -> None:
    """Create the owner, exchange the code for a token, finish onboarding, make a long-lived token."""
    status, made = await rest(session, url, "POST", "/api/onboarding/users", body={
        "client_id": CLIENT_ID, "name": "Check", "username": "check", "password": args["password"],
        "language": "en"})
    if status != 200:
        raise RuntimeError(f"onboarding refused the owner: HTTP {status} {made}")
    status, tokens = await rest(session, url, "POST", "/auth/token", form={
        "grant_type": "authorization_code", "code": made["auth_code"], "client_id": CLIENT_ID})
    if status != 200:
        raise RuntimeError(f"no token for the owner: HTTP {status} {tokens}")
    access = tokens["access_token"]
    for step, body in (("core_config", {}), ("analytics", {}),
                       ("integration", {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID})):
        await rest(session, url, "POST", f"/api/onboarding/{step}", access, body)
    async with Socket(session, url, access) as socket:
        long_lived = await socket.call({"type": "auth/long_lived_access_token", "client_name": "voicecare check",
                                        "lifespan": 1})
    status, config = await rest(session, url, "GET", "/api/config", long_lived)
    out(token=long_lived, version=config.get("version") if isinstance(config, dict) else None)


async def add_wyoming(session: aiohttp.ClientSession, url: str, args: dict[str, Any]) -> None:
    """The Wyoming integration's config flow, as the user would fill it in: host and port."""
    token = args["token"]
    status, flow = await rest(session, url, "POST", "/api/config/config_entries/flow", token,
                              {"handler": "wyoming", "show_advanced_options": False})
    if status != 200:
        raise RuntimeError(f"the Wyoming config flow did not start: HTTP {status} {flow}")
    status, done = await rest(session, url, "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", token,
                              {"host": args["host"], "port": args["port"]})
    if status != 200 or done.get("type") != "create_entry":
        raise RuntimeError(f"the Wyoming config flow did not finish: HTTP {status} {done}")
    out(title=done.get("title"), entry=done.get("result", {}).get("entry_id"))


async def entities(session: aiohttp.ClientSession, url: str, args: dict[str, Any]) -> None:
    """The entities of one config entry, by domain, once each domain asked for has one (integrations set
    their entities up in the background)."""
    deadline = time.monotonic() + float(args.get("timeout", 60))
    async with Socket(session, url, args["token"]) as socket:
        while True:
            listed = await socket.call({"type": "config/entity_registry/list"})
            mine = [e["entity_id"] for e in listed if e.get("config_entry_id") == args["entry"]]
            found = {d: sorted(e for e in mine if e.startswith(d + ".")) for d in args["domains"]}
            if all(found.values()) or time.monotonic() > deadline:
                out(**found)
                return
            await asyncio.sleep(0.5)


async def pipeline(session: aiohttp.ClientSession, url: str, args: dict[str, Any]) -> None:
    """An Assist pipeline: voicecare's speech-to-text and conversation, the given text-to-speech."""
    async with Socket(session, url, args["token"]) as socket:
        made = await socket.call({"type": "assist_pipeline/pipeline/create", "name": "voicecare check",
                                  "language": "en", "conversation_engine": args["conversation"],
                                  "conversation_language": "en", "stt_engine": args["stt"], "stt_language": "en",
                                  "tts_engine": args.get("tts"), "tts_language": "en_US" if args.get("tts") else None,
                                  "tts_voice": None, "wake_word_entity": None, "wake_word_id": None})
    out(pipeline=made["id"])


async def process(session: aiohttp.ClientSession, url: str, args: dict[str, Any]) -> None:
    """Each text through ``/api/conversation/process``; the conversation id handed back is passed on."""
    conversation_id = None
    for text in args["texts"]:
        body = {"text": text, "language": "en", "agent_id": args["agent"]}
        if conversation_id and args.get("follow", True):
            body["conversation_id"] = conversation_id
        started = time.perf_counter()
        status, answer = await rest(session, url, "POST", "/api/conversation/process", args["token"], body)
        ms = (time.perf_counter() - started) * 1000
        if status != 200:
            out(text=text, status=status, error=str(answer)[:300], ms=ms)
            continue
        response = answer.get("response", {})
        conversation_id = answer.get("conversation_id")
        out(text=text, status=status, ms=ms, speech=response.get("speech", {}).get("plain", {}).get("speech", ""),
            response_type=response.get("response_type"), code=(response.get("data") or {}).get("code"),
            continue_conversation=answer.get("continue_conversation"), conversation_id=conversation_id)
        if args.get("gap"):
            await asyncio.sleep(float(args["gap"]))


async def converse(session: aiohttp.ClientSession, url: str, args: dict[str, Any]) -> None:
    """A scripted person. A ``say`` step goes through ``/api/conversation/process``, right away or once a
    persistent notification says ``after`` (what voicecare says on its own when no satellite can say
    it); a ``watch`` step stays silent for its seconds and reports every notification since the last turn."""
    async with Socket(session, url, args["token"]) as socket:
        await socket.call({"type": "persistent_notification/subscribe"})
        seen: list[str] = []

        async def collect(until: float) -> None:
            while (left := until - time.monotonic()) > 0:
                try:
                    event = await socket.receive(left)
                except asyncio.TimeoutError:
                    return
                if (event.get("event") or {}).get("type") in ("added", "updated"):
                    seen.extend(str(n.get("message", ""))
                                for n in ((event.get("event") or {}).get("notifications") or {}).values())

        conversation_id = None
        for step in args["steps"]:
            if "watch" in step:
                await collect(time.monotonic() + float(step["watch"]))
                out(watched=list(seen), seconds=step["watch"])
                seen.clear()
                continue
            waited = waited_ms = None
            if step.get("after"):
                started = time.perf_counter()
                deadline = time.monotonic() + float(step.get("timeout", 120))
                while (waited := next((m for m in seen if step["after"].lower() in m.lower()), None)) is None:
                    if time.monotonic() > deadline:
                        out(text=step["say"], status=0, error=f"no notification said {step['after']!r}", ms=0)
                        return
                    await collect(min(deadline, time.monotonic() + 0.2))
                waited_ms = (time.perf_counter() - started) * 1000
            seen.clear()
            body = {"text": step["say"], "language": "en", "agent_id": args["agent"]}
            if conversation_id:
                body["conversation_id"] = conversation_id
            started = time.perf_counter()
            status, answer = await rest(session, url, "POST", "/api/conversation/process", args["token"], body)
            ms = (time.perf_counter() - started) * 1000
            response = answer.get("response", {}) if isinstance(answer, dict) else {}
            conversation_id = answer.get("conversation_id") if isinstance(answer, dict) else None
            out(text=step["say"], status=status, ms=ms, after=waited, after_ms=waited_ms,
                speech=response.get("speech", {}).get("plain", {}).get("speech", ""),
                response_type=response.get("response_type"), code=(response.get("data") or {}).get("code"),
                continue_conversation=answer.get("continue_conversation") if isinstance(answer, dict) else None,
                conversation_id=conversation_id)


async def run_pipeline(session: aiohttp.ClientSession, url: str, args: dict[str, Any]) -> None:
    """One WAV through the pipeline from speech-to-text to text-to-speech, streamed in 20 ms chunks as a
    satellite would, then silence; what each stage gave back, and the speech audio's size."""
    with wave.open(args["wav"], "rb") as wav:
        if (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) != (16000, 2, 1):
            raise RuntimeError("the WAV must be 16 kHz, 16-bit, mono")
        audio = wav.readframes(wav.getnframes()) + b"\0" * 32000 * 2
    async with Socket(session, url, args["token"]) as socket:
        started = time.perf_counter()
        message = {"type": "assist_pipeline/run", "start_stage": "stt", "end_stage": args.get("end", "tts"),
                   "input": {"sample_rate": 16000}, "pipeline": args["pipeline"]}
        if args.get("conversation_id"):
            message["conversation_id"] = args["conversation_id"]
        await socket.send(message)
        result: dict[str, Any] = {"wav": args["wav"]}
        handler = None
        while True:
            event = await socket.receive()
            if event.get("type") == "result":
                if not event.get("success"):
                    raise RuntimeError(f"the pipeline did not start: {event.get('error')}")
                continue
            kind = event.get("event", {}).get("type")
            data = event.get("event", {}).get("data") or {}
            if kind == "run-start":
                handler = data["runner_data"]["stt_binary_handler_id"]
                for at in range(0, len(audio), 640):
                    await socket.ws.send_bytes(bytes([handler]) + audio[at:at + 640])
                await socket.ws.send_bytes(bytes([handler]))
            elif kind == "stt-end":
                result["heard"] = data.get("stt_output", {}).get("text")
            elif kind == "intent-end":
                output = data.get("intent_output", {})
                result["speech"] = output.get("response", {}).get("speech", {}).get("plain", {}).get("speech")
                result["continue_conversation"] = output.get("continue_conversation")
                result["conversation_id"] = output.get("conversation_id")
            elif kind == "tts-end":
                media = data.get("tts_output", {})
                result["tts_mime"] = media.get("mime_type")
                if media.get("url"):
                    async with session.get(url + media["url"]) as response:
                        result["tts_bytes"] = len(await response.read()) if response.status == 200 else 0
            elif kind == "error":
                result["error"] = f"{data.get('code')}: {data.get('message')}"
            elif kind == "run-end":
                break
        result["ms"] = (time.perf_counter() - started) * 1000
        out(**result)


async def service(session: aiohttp.ClientSession, url: str, args: dict[str, Any]) -> None:
    """Call one service as voicecare does; the HTTP status and Home Assistant's message."""
    status, answer = await rest(session, url, "POST", f"/api/services/{args['domain']}/{args['service']}",
                                args["token"], args["data"])
    out(status=status, answer=answer if status != 200 else None)


async def notifications(session: aiohttp.ClientSession, url: str, args: dict[str, Any]) -> None:
    """The persistent notifications Home Assistant holds now."""
    async with Socket(session, url, args["token"]) as socket:
        found = await socket.call({"type": "persistent_notification/get"})
    out(notifications=[{"id": n.get("notification_id"), "title": n.get("title"), "message": n.get("message")}
                       for n in found or []])


COMMANDS = {"onboard": onboard, "converse": converse, "add-wyoming": add_wyoming, "entities": entities, "pipeline": pipeline,
            "process": process, "run-pipeline": run_pipeline, "service": service, "notifications": notifications}


async def main(url: str, command: str, args: dict[str, Any]) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4)) as session:
        await COMMANDS[command](session, url, args)


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))
    except Exception as exc:  # noqa: BLE001 - one line for the check to show
        out(error=f"{type(exc).__name__}: {exc}")
        raise SystemExit(1)
