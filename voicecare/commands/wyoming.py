"""``voicecare wyoming``: serve the Wyoming ``handle`` role (and ``asr``) for Home Assistant."""

from __future__ import annotations

import argparse
import asyncio

from voicecare.commands._common import config_from
from voicecare.errors import BadInputError
from voicecare.commands.run import quiet_logging
from voicecare.remote.app import ServeOptions, build, serve
from voicecare.service import Notifier


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("wyoming", help="serve Home Assistant's satellites over the Wyoming protocol (handle, asr)")
    p.add_argument("--uri", default="tcp://0.0.0.0:10600", metavar="tcp://HOST:PORT",
                   help="where to listen (default tcp://0.0.0.0:10600; tcp://127.0.0.1:PORT for this machine only)")
    p.add_argument("--no-asr", action="store_true", help="serve only the handle role, not voicecare's recognizer")
    p.add_argument("--no-zeroconf", action="store_true", help="do not advertise the service for discovery")
    p.add_argument("--name", default="voicecare", help="the name Home Assistant discovers (default voicecare)")
    p.add_argument("--speed", type=float, default=1.0, help=argparse.SUPPRESS)  # checks run holds faster
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    quiet_logging(args, config)
    if not 0.1 <= args.speed <= 1000:
        raise BadInputError("--speed must be between 0.1 and 1000", "leave it out: 1 is real time")
    options = ServeOptions(uri=args.uri, asr=not args.no_asr, zeroconf=not args.no_zeroconf, name=args.name,
                           speed=args.speed)
    built = build(config, options)
    asyncio.run(serve(built, options, Notifier()))
    return 0
