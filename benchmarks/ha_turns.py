"""The scripted conversations of ``benchmarks/ha_check.py`` and what each must get back, from voicecare's
own content; and the table they are printed as."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.content.texts import load_texts
from voicecare.core.escalation import escalation_lines
from voicecare.remote.announce import Announcement

ONE_TURNS = ("how much water should I drink", "should I use ice or heat", "what causes hip spasms",
             "can I take ibuprofen")


@dataclass(frozen=True, slots=True)
class Turn:
    """One row: how it went in, what was said (and heard), what came back, how long, and whether right."""

    path: str
    said: str
    reply: str
    ms: float
    ok: bool
    heard: str = ""
    keep_listening: Any = None
    conversation_id: str = ""


def _row(path: str, answer: dict[str, Any], ok: bool, said: str | None = None) -> Turn:
    return Turn(path, said or answer.get("text", ""), answer.get("speech") or answer.get("error") or "",
                float(answer.get("ms") or 0), bool(ok) and answer.get("status", 200) == 200,
                answer.get("heard") or "", answer.get("continue_conversation"),
                (answer.get("conversation_id") or "")[-8:])


def expectations(client: Callable[..., list[dict[str, Any]]], agents: dict[str, str], pipeline: str, folder: Path,
                 args: Any, synthesize: Callable[..., dict[str, Path]]) -> list[Turn]:
    """Play every scripted conversation; one row per turn (the one-turn run summed up in one row).
    ``agents``: the fast voicecare's conversation agent, and the real-time one the pipeline uses."""
    agent = agents["fast"]
    texts = load_texts(DEFAULT_CONTENT_DIR)
    asked, ended = texts.prompt("pain_rating_start"), texts.prompt("pain_rating_end")
    better = {texts.prompt("pain_better", v, before=6, after=3) for v in range(len(texts.prompts("pain_better")))}
    numb = " ".join(escalation_lines(texts.red_flags["redflag.numbness"], "999"))
    turns: list[Turn] = []

    relief = client("converse", agent=agent, steps=[
        {"say": "my left glute is cramping"}, {"say": "six"},
        {"say": "yes", "after": "cold pack", "timeout": 240},
        {"say": "three", "after": ended[:24], "timeout": 240}])
    checks = [lambda s: s.endswith(asked), lambda s: "buttock" in s, lambda s: "ice" in s.lower(),
              lambda s: s in better]
    turns += [_row("REST relief", a, check(a.get("speech", ""))) for a, check in zip(relief, checks)]
    turns += [Turn("REST relief", "(turn never reached)", "", 0.0, False)] * (len(checks) - len(relief))

    red = client("converse", agent=agent, steps=[{"say": "my right hip flexor is cramping"},
                                                 {"say": "my leg has gone numb"}])
    turns += [_row("REST red flag", red[0], red[0].get("speech", "").endswith(asked)),
              _row("REST red flag", red[1], red[1].get("speech") == numb)]

    alarm = client("converse", agent=agent, steps=[{"say": "I can't control my bladder"},
                                                   {"say": "okay", "after": "999", "timeout": 120}])
    turns += [_row("REST emergency", alarm[0], "999" in alarm[0].get("speech", "")),
              _row("REST emergency", alarm[1], bool(alarm[1].get("after")) and bool(alarm[1].get("speech")),
                   said=f"okay (after the alarm's notification: {str(alarm[1].get('after'))[:30]}...)")]

    alone = agents["alone"]  # no satellite: quiet for the follow-up window, it must stop talking
    silence, after_resume = 200.0, 60.0  # seconds of conversation
    flow = client("converse", agent=alone, steps=[
        {"say": "my left glute is cramping"}, {"say": "six"}, {"watch": silence / args.speed},
        {"say": "resume"}, {"watch": after_resume / args.speed}])
    holding = ("and hold", "halfway", "release")

    def heard(row: dict[str, Any]) -> str:
        return f"{len(row.get('watched', []))} notifications: " + " | ".join(m[:24] for m in row.get("watched", []))

    if len(flow) == 5:
        turns += [_row("REST no satellite", flow[0], flow[0].get("speech", "").endswith(asked)),
                  _row("REST no satellite", flow[1], "buttock" in flow[1].get("speech", "")),
                  Turn("REST no satellite", f"(silent for {silence:.0f} s of conversation)", heard(flow[2]), 0.0,
                       not any(h in m.lower() for m in flow[2]["watched"] for h in holding)),
                  _row("REST no satellite", flow[3], flow[3].get("speech", "").startswith("Resuming")),
                  Turn("REST no satellite", f"(then {after_resume:.0f} s of conversation)", heard(flow[4]), 0.0,
                       any(h in m.lower() for m in flow[4]["watched"] for h in holding))]
    else:
        turns.append(Turn("REST no satellite", "(the scripted turns)", str(flow[-1:])[:70], 0.0, False))

    many = client("process", agent=agent, follow=False,
                  texts=[ONE_TURNS[n % len(ONE_TURNS)] for n in range(args.one_turns)])
    answered = [a for a in many if a.get("status") == 200 and a.get("speech") and a.get("response_type") == "action_done"]
    times = [a["ms"] for a in many]
    turns.append(Turn("REST one-turn", f"{args.one_turns} one-turn conversations in a row",
                      f"{len(answered)}/{args.one_turns} answered; median {statistics.median(times):.0f} ms, "
                      f"max {max(times):.0f} ms", sum(times), len(answered) == args.one_turns))

    wavs = synthesize(folder, ["my left glute is cramping", "six", "my leg has gone numb"], args.voice)
    first = client("run-pipeline", pipeline=pipeline, wav=str(wavs["my left glute is cramping"]))[0]
    second = client("run-pipeline", pipeline=pipeline, wav=str(wavs["six"]),
                    conversation_id=first.get("conversation_id"))[0]
    third = client("run-pipeline", pipeline=pipeline, wav=str(wavs["my leg has gone numb"]))[0]
    for answer, said, check in ((first, "my left glute is cramping", lambda s: s.endswith(asked)),
                                (second, "six", lambda s: "buttock" in s),
                                (third, "my leg has gone numb", lambda s: s == numb)):
        spoken = answer.get("tts_bytes", 0)
        row = _row("pipeline WAV", answer, check(answer.get("speech") or "") and not answer.get("error")
                   and (spoken > 1000 or answer.get("tts_mime") is None), said=f"{said}.wav")
        problem = f" [{answer['error']}]" if answer.get("error") else ""
        turns.append(Turn(row.path, row.said, f"[speech {spoken // 1024} KB]{problem} " + row.reply,
                          row.ms, row.ok, row.heard, row.keep_listening, row.conversation_id))

    shaped = Announcement("assist_satellite.voicecare_check", "Now release.", "emergency")
    announce = client("service", domain="assist_satellite", service="announce", data=shaped.announce_body())[0]
    wrong = client("service", domain="assist_satellite", service="announce",
                   data={**shaped.announce_body(), "preannounce": "loud"})[0]
    notify = client("service", domain="persistent_notification", service="create",
                    data=Announcement(None, "voicecare check: notification path").notification_body())[0]
    held = client("notifications")[0]["notifications"]
    turns.append(Turn("service", "assist_satellite.announce (voicecare's body; a wrong one)",
                      f"HTTP {announce['status']}; wrong preannounce: HTTP {wrong['status']}", 0.0,
                      announce["status"] == 200 and wrong["status"] == 400))
    turns.append(Turn("service", "persistent_notification.create (voicecare's body)",
                      f"HTTP {notify['status']}; held: {', '.join(sorted(n['id'] for n in held))}", 0.0,
                      notify["status"] == 200 and any(n["message"].endswith("notification path") for n in held)))
    return turns


def table(core: Any, start_seconds: float, turns: list[Turn], notes: list[str]) -> str:
    """Home Assistant's version and install figures, then one line per turn."""
    install = ("cached" if core.install_seconds is None else f"installed in {core.install_seconds:.0f} s")
    lines = [f"Home Assistant {core.version} ({install}, venv {core.disk_mb:.0f} MB; started and answering "
             f"in {start_seconds:.0f} s)", ""]
    header = f"{'path':<14} {'said':<44} {'heard (STT)':<26} {'came back':<70} {'listen':<6} {'conv id':<8} {'ms':>6} ok"
    lines += [header, "-" * len(header)]
    for t in turns:
        listen = "" if t.keep_listening is None else str(t.keep_listening).lower()
        lines.append(f"{t.path:<14} {t.said[:44]:<44} {t.heard[:26]:<26} {t.reply[:70]:<70} {listen:<6} "
                     f"{t.conversation_id:<8} {t.ms:>6.0f} {'yes' if t.ok else 'NO'}")
    lines += ["", f"{sum(t.ok for t in turns)}/{len(turns)} rows right"] + [f"note: {n}" for n in notes]
    return "\n".join(lines)
