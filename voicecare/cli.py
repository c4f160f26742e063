"""The ``voicecare`` command line: one module per subcommand in ``voicecare.commands``."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from typing import NoReturn, Sequence

from voicecare import __version__, commands
from voicecare.errors import EXIT_RUNTIME, EXIT_USAGE, VoicecareError

log = logging.getLogger(__name__)


class OneLineParser(argparse.ArgumentParser):
    """Usage mistakes as one line like every other error (``Error: <what> — <how to fix>``, exit 2).

    Subcommand parsers are made from the same class, so this holds for every command.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"Error: {message} — see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand that ``voicecare/commands/`` provides."""
    parser = OneLineParser(
        prog="voicecare",
        description="An offline voice assistant for hip muscle spasms.",
    )
    parser.add_argument("--version", action="version", version=f"voicecare {__version__}")
    _global_options(parser, default=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    _global_options_everywhere(parser)
    return parser


def _global_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    """``--config`` and ``-v/--debug``: the options every command takes."""
    parser.add_argument("-v", "--debug", action="store_true", default=default,
                        help="verbose logging, including transcripts")
    parser.add_argument("--config", metavar="FILE", default=None if default is False else default,
                        help="configuration file (overrides the system and user files)")


def _global_options_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept the global options after a subcommand too (``voicecare config check --config F``).

    Given there, they are added with no default of their own, so one given before the
    subcommand is not overwritten when it is absent after it.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in dict.fromkeys(action.choices.values()):
                _global_options(subparser, default=argparse.SUPPRESS)
                _global_options_everywhere(subparser)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args) or 0)
    except VoicecareError as exc:
        print(exc.line(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_RUNTIME


if __name__ == "__main__":
    raise SystemExit(main())
