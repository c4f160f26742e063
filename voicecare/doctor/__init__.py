"""``voicecare doctor``, by subject: what is read and written (``data``), what speaks and hears
(``sound``), the optional parts (``extras``), the result type (``results``) and running them all
(``running``). Its public names are here."""

from voicecare.doctor.data import (
    DISK_FAIL_BYTES,
    DISK_WARN_BYTES,
    check_config,
    check_content,
    check_disk,
    check_journal,
)
from voicecare.doctor.extras import EXTRAS, check_extras, install_command
from voicecare.doctor.results import CheckResult, Status
from voicecare.doctor.running import CHECKS, DoctorOptions, all_ok, run_checks
from voicecare.doctor.sound import (
    CLIPPING_DBFS,
    PROBE_INTENT,
    PROBE_PHRASE,
    SILENT_DBFS,
    VOICE_SENTENCE,
    check_microphone,
    check_recognizer,
    check_speaker,
    check_tts,
)

__all__ = [
    "CHECKS",
    "CLIPPING_DBFS",
    "DISK_FAIL_BYTES",
    "DISK_WARN_BYTES",
    "EXTRAS",
    "PROBE_INTENT",
    "PROBE_PHRASE",
    "SILENT_DBFS",
    "VOICE_SENTENCE",
    "CheckResult",
    "DoctorOptions",
    "Status",
    "all_ok",
    "check_config",
    "check_content",
    "check_disk",
    "check_extras",
    "check_journal",
    "check_microphone",
    "check_recognizer",
    "check_speaker",
    "check_tts",
    "install_command",
    "run_checks",
]
