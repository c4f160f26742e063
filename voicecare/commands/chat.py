"""``voicecare chat``: the same dialog as ``run``, typed instead of spoken, on a virtual clock."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from voicecare.commands._common import config_from, parse_start, read_text_file
from voicecare.runtime.build import build_brain, open_journal
from voicecare.runtime.eventlog import EventLog
from voicecare.runtime.journal_watch import PROMPT as JOURNAL_PROMPT, JournalWatch
from voicecare.runtime.virtual import VirtualConversation, parse_script


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="type to the assistant (virtual clock); scripts with [@SECONDS] lines")
    p.add_argument("--script", metavar="FILE", help="lines of '[@SECONDS] utterance' to play instead of typing")
    p.add_argument("--json", action="store_true", help="print the event log (JSON lines) instead of the spoken lines")
    p.add_argument("--start", metavar="ISO", help="wall-clock time the virtual clock starts at (default: now)")
    p.add_argument("--journal", action="store_true", help="record to the real journal (default: a throwaway one)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    journal = open_journal(config, in_memory=not args.journal)
    brain = build_brain(config, journal, wake_phrase="off")
    echo = _print_json if args.json else _print_spoken
    events = EventLog(echo=echo)
    watch = JournalWatch(journal, brain.texts.prompt(JOURNAL_PROMPT))
    chat = VirtualConversation(brain.assistant, brain.understander.understand, events, journal=journal,
                               words_per_minute=config.speech.voice_rate_wpm,
                               wall_start=parse_start(args.start), journal_watch=watch, log_as_spoken=True,
                               understand_other=brain.understander.understand_alternative)
    try:
        if args.script:
            for line in parse_script(read_text_file(args.script, "script")):
                chat.type_line(line.text, line.at)
            chat.run_until_quiet()
        else:
            _interactive(chat)
    finally:
        journal.close()
    problem = watch.outcome()  # records the journal could not keep: say so, exit 1
    if problem is not None:
        raise problem
    return 0


def _interactive(chat: VirtualConversation) -> None:
    prompt = "you> " if sys.stdin.isatty() else ""
    while True:
        try:
            line = input(prompt)
        except EOFError:
            break
        if line.strip():
            chat.type_line(line)
            chat.run_until_quiet(until_asked=True)
    chat.run_until_quiet()


def _print_spoken(event: dict[str, Any]) -> None:
    kind = event["type"]
    if kind == "say":
        print(f"[{event['t']:7.1f}s] {event['text']}", flush=True)
    elif kind == "hold":
        print(f"[{event['t']:7.1f}s]   (hold {event['seconds']:g} s)", flush=True)
    elif kind == "escalate":
        print(f"[{event['t']:7.1f}s]   (escalation: {event['severity']}, {event['flag']})", flush=True)


def _print_json(event: dict[str, Any]) -> None:
    print(json.dumps(event, ensure_ascii=False), flush=True)
