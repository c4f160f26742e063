"""The configuration, by job: reading and merging the files (``reading``), the sections and their
defaults (``sections``), the check of each value (``checks``). Its public names are here."""

from voicecare.config.checks import DEFAULT, Parser
from voicecare.config.reading import (
    SYSTEM_CONFIG,
    USER_CONFIG,
    Config,
    ConfigErrors,
    default_emergency_number,
    load_config,
)
from voicecare.config.sections import (
    EMERGENCY_NUMBERS,
    FALLBACK_EMERGENCY_NUMBER,
    SECTIONS,
    AudioConfig,
    HoldsConfig,
    HomeAssistantConfig,
    LoggingConfig,
    PathsConfig,
    SafetyConfig,
    SpeechConfig,
    WakeConfig,
    WyomingConfig,
)

__all__ = [
    "DEFAULT",
    "EMERGENCY_NUMBERS",
    "FALLBACK_EMERGENCY_NUMBER",
    "SECTIONS",
    "SYSTEM_CONFIG",
    "USER_CONFIG",
    "AudioConfig",
    "Config",
    "ConfigErrors",
    "HoldsConfig",
    "HomeAssistantConfig",
    "LoggingConfig",
    "Parser",
    "PathsConfig",
    "SafetyConfig",
    "SpeechConfig",
    "WakeConfig",
    "WyomingConfig",
    "default_emergency_number",
    "load_config",
]
