"""Kept importable from here: the readings of the words now belong to the listening stages
(``voicecare.listening.alternatives``)."""

from voicecare.listening.alternatives import clarity, possible_red_flag, understand_alternatives

__all__ = ["clarity", "possible_red_flag", "understand_alternatives"]
