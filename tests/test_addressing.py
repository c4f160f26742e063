"""Who the conversation is with, on a virtual clock: a call that is heard is never met with silence, the
follow-up window is for the person who spoke to it, and once anyone is enrolled their voice decides what
a red flag or a session control in another voice does. Unenrolled (``voice`` None) nothing of the voice
rules applies."""

from __future__ import annotations

from test_assistant import Talk, config, sessions  # noqa: F401 (fixture)

from voicecare.config import Config
from voicecare.core.actions import AdaptVoice, Heard, NotTheirVoice

WAKE = "hey care"


def _line(talk: Talk, text: str, **how: object) -> list:
    """Type a line as the pipeline would hand it over (voice, noise, a first-stage wake), and return the
    core's actions for it."""
    chat = talk.chat
    addressed, rest = chat._wake.split(text) if chat._wake else (True, text)
    heard = Heard(chat._understand(rest), addressed=addressed and how.get("addressed", True),
                  background=bool(how.get("background", False)), noisy=bool(how.get("noisy", False)),
                  wake_stage=str(how.get("stage", "transcript")) if addressed else None,
                  wake_confirmed=bool(how.get("confirmed", True)), voice=how.get("voice"),  # type: ignore[arg-type]
                  voice_brief=bool(how.get("brief", False)))
    actions = talk.assistant.handle(heard, chat.now, chat.wall)
    chat._execute(actions)
    return actions


# --- a call that is heard is never met with silence ---------------------------------------


def test_the_wake_phrase_with_words_not_understood_is_asked_what_is_wrong(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.chat.type_line("hey care flibber wobble garden", noisy=True)
    assert "I'm here. What's wrong?" in talk.spoken()
    talk.until_asked()
    talk.wait(1)
    mark = talk.mark()
    talk.say("my leg has gone numb")  # no wake phrase needed now
    assert talk.of("escalate", mark)[0]["severity"] == "urgent"


def test_an_answer_still_not_made_out_in_a_loud_room_gets_the_help_check(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.chat.type_line("hey care flibber wobble garden", noisy=True)
    talk.until_asked()
    talk.wait(1)
    mark = talk.mark()
    talk.chat.type_line("mmm wobble grr", noisy=True)
    assert talk.of("check", mark)[0] == {**talk.of("check", mark)[0], "flag": "help", "state": "asked"}
    assert "Do you need help? Say yes or no." in talk.spoken(mark)
    talk.until_asked()
    talk.say("yes")
    escalated = talk.of("escalate", mark)
    assert escalated and escalated[0]["severity"] == "urgent" and escalated[0]["flag"] == "help"
    assert "999" in talk.spoken(mark)


def test_the_help_check_unanswered_twice_escalates(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.chat.type_line("hey care flibber wobble garden", noisy=True)
    talk.until_asked()
    talk.wait(1)
    talk.chat.type_line("mmm wobble grr", noisy=True)
    talk.wait(120)
    assert [e["state"] for e in talk.of("check")] == ["asked", "unanswered"]
    assert talk.of("escalate")[0]["flag"] == "help"


def test_after_a_call_too_faint_for_the_endpointer_an_answer_not_made_out_gets_the_help_check(
        config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.chat.type_line("hey care flibber wobble garden", faint=True)  # from the floor, in a quiet room
    assert "I'm here. What's wrong?" in talk.spoken()
    talk.until_asked()
    talk.wait(1)
    mark = talk.mark()
    talk.chat.type_line("mmm wobble grr")  # not a loud room: the call's faintness is what counts
    assert [e["state"] for e in talk.of("check", mark)] == ["asked"]
    assert "Do you need help? Say yes or no." in talk.spoken(mark)
    talk.wait(120)
    assert talk.of("escalate", mark)[0]["flag"] == "help"


def test_a_faint_call_answered_with_words_it_understands_is_answered_without_a_check(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.chat.type_line("hey care flibber wobble garden", faint=True)
    talk.until_asked()
    talk.wait(1)
    mark = talk.mark()
    talk.say("should I use heat or ice")
    assert not talk.of("check", mark) and "heat" in talk.spoken(mark).lower()


def test_in_a_quiet_room_an_answer_not_understood_is_answered_as_before(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.say("hey care flibber wobble garden")
    talk.until_asked()
    talk.wait(1)
    mark = talk.mark()
    talk.say("wobble flibber")
    assert not talk.of("check", mark) and talk.of("say", mark)


def test_without_a_wake_phrase_words_not_understood_are_answered_as_before(config: Config) -> None:
    talk = Talk(config)
    talk.say("flibber wobble garden")
    assert "I'm here" not in talk.spoken() and talk.of("say")


# --- the follow-up window is for the person who spoke to it ---------------------------------


def test_a_reply_to_background_talk_does_not_open_the_window(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.say("hey care should I use ice or heat")
    talk.until_asked()
    talk.wait(1)
    _line(talk, "what about drinking water then after all of that long story we were telling you all about it",
          addressed=False, background=True)
    talk.until_asked()
    talk.wait(1)
    mark = talk.mark()
    talk.say("my leg has gone numb")
    assert not talk.of("escalate", mark) and not talk.of("check", mark)


def test_a_red_flag_in_a_window_opened_only_by_a_first_stage_wake_is_checked(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.chat.type_line("hey care should I use ice or heat", wake_confirmed=False)
    talk.until_asked()
    talk.wait(1)
    mark = talk.mark()
    talk.say("my leg has gone numb")
    assert not talk.of("escalate", mark)
    assert talk.of("check", mark)[0]["state"] == "asked" and "numb" in talk.spoken(mark)
    talk.until_asked()
    talk.say("yes")
    assert talk.of("escalate", mark)[0]["severity"] == "urgent"


def test_a_red_flag_said_with_a_confirmed_wake_phrase_escalates_at_once(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.chat.type_line("hey care my leg has gone numb")
    assert talk.of("escalate")[0]["severity"] == "urgent" and not talk.of("check")


def test_a_check_drowned_by_background_talk_is_asked_again_plainly_before_it_counts(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.say("hey care my leg is fine", alternatives=["hey care my leg is numb"])
    talk.until_asked()
    mark = talk.mark()
    _line(talk, "and now over to the weather with a look at the week ahead for everyone", addressed=False,
          background=True)
    assert "over the noise" in talk.spoken(mark) and not talk.of("escalate", mark)
    _line(talk, "a band of rain moving in from the west later this evening and overnight", addressed=False,
          background=True)
    assert not talk.of("escalate", mark) and not talk.of("check", mark)
    talk.until_asked()
    talk.say("no")
    assert talk.of("check", mark)[-1]["state"] == "cleared" and not talk.of("escalate")


# --- with someone enrolled: the voice ------------------------------------------------------


def test_a_red_flag_in_the_persons_voice_is_acted_on_at_once(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    _line(talk, "hey care start my daily stretches", voice="person", stage="template")
    talk.until_asked()
    _line(talk, "no", voice="person")
    talk.wait(5)
    mark = talk.mark()
    _line(talk, "my leg has gone numb", voice="person")
    assert talk.of("escalate", mark)[0]["severity"] == "urgent" and not talk.of("check", mark)


def _in_session(config: Config) -> Talk:
    talk = Talk(config, wake=WAKE)
    _line(talk, "hey care start my daily stretches", voice="person", stage="template")
    talk.until_asked()
    _line(talk, "no", voice="person")
    while not talk.of("hold"):
        talk.wait(1)
    talk.wait(2)
    return talk


def test_a_red_flag_in_another_voice_is_checked_and_a_yes_in_the_persons_voice_escalates(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "my leg has gone numb", voice="other")
    assert not talk.of("escalate", mark)
    assert talk.of("check", mark)[0]["flag"] == "redflag.numbness"
    assert "Did you say your leg or foot is numb" in talk.spoken(mark)
    talk.until_asked()
    _line(talk, "yes", voice="other")  # the television's yes is not the person's
    assert not talk.of("escalate", mark)
    _line(talk, "yes", voice="person")
    assert talk.of("escalate", mark)[0]["severity"] == "urgent"


def test_a_red_flag_in_a_voice_the_check_is_unsure_of_escalates_when_unanswered_twice(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "my leg has gone numb", voice="unsure")
    assert not talk.of("escalate", mark) and talk.of("check", mark)
    talk.wait(120)
    assert [e["state"] for e in talk.of("check", mark)] == ["asked", "unanswered"]
    assert talk.of("escalate", mark)[0]["severity"] == "urgent"


def test_a_no_in_the_persons_voice_clears_the_check_and_the_session_carries_on(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "my leg has gone numb", voice="other")
    talk.until_asked()
    _line(talk, "no", voice="person")
    assert talk.of("check", mark)[-1]["state"] == "cleared" and not talk.of("escalate", mark)
    assert "stopped" not in sessions(talk, mark)


def test_a_no_to_words_in_a_doubted_voice_says_that_voice_is_not_theirs(config: Config) -> None:
    for voice in ("other", "unsure"):
        talk = _in_session(config)
        _line(talk, "my leg has gone numb", voice=voice)
        talk.until_asked()
        assert any(isinstance(a, NotTheirVoice) for a in _line(talk, "no", voice="unsure")), voice


def test_only_a_no_to_words_in_a_doubted_voice_teaches_whose_voice_it_was_not(config: Config) -> None:
    talk = _in_session(config)
    _line(talk, "my leg has gone numb", voice="unsure")
    talk.until_asked()
    assert not any(isinstance(a, NotTheirVoice) for a in _line(talk, "stop", voice="person"))  # stop is not a denial
    talk = Talk(config, wake=WAKE)  # nobody enrolled: a wake phrase only the first stage heard is checked
    mark = talk.mark()
    _line(talk, "hey care my leg has gone numb", stage="template", confirmed=False)
    assert talk.of("check", mark)
    talk.until_asked()
    assert not any(isinstance(a, NotTheirVoice) for a in _line(talk, "no"))
    assert talk.of("check", mark)[-1]["state"] == "cleared"


def test_session_controls_count_only_in_the_persons_voice_or_with_the_wake_phrase(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "stop", voice="other")
    _line(talk, "pause", voice="unsure")
    assert sessions(talk, mark) == []
    _line(talk, "pause", voice="person")
    assert sessions(talk, mark) == ["paused"]
    mark = talk.mark()
    _line(talk, "hey care stop", voice="other")
    assert "stopped" in sessions(talk, mark)


def test_a_stop_too_short_to_tell_a_voice_by_pauses_the_session_and_a_second_stops_it(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "skip", voice="unsure", brief=True)  # steering, not halting: only in their voice
    _line(talk, "stop", voice="other")  # heard well enough to be another's
    assert sessions(talk, mark) == []
    _line(talk, "stop", voice="unsure", brief=True)  # may be the person in pain: halt at once
    assert sessions(talk, mark) == ["paused"]
    talk.wait(3)
    _line(talk, "stop", voice="unsure", brief=True)
    assert sessions(talk, mark) == ["paused", "stopped"]
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "pause", voice="unsure")  # long enough to judge, and unsure: not theirs
    assert sessions(talk, mark) == []


def test_a_reply_to_another_voice_does_not_hold_the_conversation_open(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    _line(talk, "hey care should I use ice or heat", voice="person", stage="template")
    talk.until_asked()
    talk.wait(1)
    _line(talk, "what about drinking water", voice="other")  # in the window, another voice: not for it
    mark = talk.mark()
    assert not talk.of("say", mark)
    talk.wait(talk.assistant.settings.follow_up_seconds + 1)
    _line(talk, "my leg has gone numb", voice="person")
    assert not talk.of("escalate", mark) and not talk.of("check", mark)


def _answered_then_window(voice: str, config: Config) -> bool:
    """A call, then words in the window in ``voice``: answered; is a red flag after that reply still heard?"""
    talk = Talk(config, wake=WAKE)
    _line(talk, "hey care flibber wobble garden", voice="unsure", stage="template", confirmed=False)
    talk.until_asked()  # "I'm here. What's wrong?": the answer is listened for, in whatever voice
    talk.wait(1)
    mark = talk.mark()
    _line(talk, "what about drinking water", voice=voice)
    assert talk.of("say", mark)
    talk.until_asked()
    talk.wait(1)
    mark = talk.mark()
    _line(talk, "my leg has gone numb", voice=voice)
    return bool(talk.of("escalate", mark) or talk.of("check", mark))


def test_a_reply_to_a_voice_the_check_is_unsure_of_does_not_hold_the_window_open(config: Config) -> None:
    assert not _answered_then_window("unsure", config)  # a television answered once keeps nothing going
    assert _answered_then_window("person", config)


def test_the_request_after_the_persons_confirmed_wake_adapts_their_voice_print(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    adapted = _line(talk, "hey care should I use ice or heat", voice="person", stage="template")
    assert any(isinstance(a, AdaptVoice) for a in adapted)
    talk.until_asked()
    for how in ({"voice": "other", "stage": "template"}, {"voice": "person", "stage": "template", "confirmed": False},
                {"voice": None, "stage": "transcript"}):
        talk.wait(30)
        actions = _line(talk, "hey care should I use ice or heat", **how)
        assert not any(isinstance(a, AdaptVoice) for a in actions), how


def test_unenrolled_a_red_flag_in_a_session_escalates_at_once_as_before(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    talk.say("hey care start my daily stretches")
    talk.until_asked()
    talk.say("no")
    talk.wait(5)
    mark = talk.mark()
    talk.say("my leg has gone numb")
    assert talk.of("escalate", mark)[0]["severity"] == "urgent" and not talk.of("check", mark)


def test_a_check_for_another_voices_red_flag_lapses_unanswered_and_the_session_carries_on(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "my leg has gone numb", voice="other")
    talk.wait(120)
    assert [e["state"] for e in talk.of("check", mark)] == ["asked", "lapsed"]
    assert not talk.of("escalate", mark) and "stopped" not in sessions(talk, mark)


def test_another_voices_red_flags_while_one_is_asked_about_ask_again_only_when_severer(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "my leg has gone numb", voice="other")
    talk.wait(2)
    _line(talk, "i have a high fever", voice="other")  # urgent too: the first question stands
    _line(talk, "my leg has gone numb", voice="other")
    assert [e["flag"] for e in talk.of("check", mark) if e["state"] == "asked"] == ["redflag.numbness"]
    _line(talk, "i can't control my bladder", voice="other")  # an emergency: asked about
    asked = [e["flag"] for e in talk.of("check", mark) if e["state"] == "asked"]
    assert asked == ["redflag.numbness", "redflag.emergency"]
    talk.wait(120)
    assert not talk.of("escalate", mark)


def test_a_red_flag_in_a_voice_that_may_be_the_persons_is_asked_about_anew_while_a_check_waits(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "i can't control my bladder", voice="other")
    talk.wait(2)
    _line(talk, "my leg has gone numb", voice="unsure")
    asked = [e["flag"] for e in talk.of("check", mark) if e["state"] == "asked"]
    assert asked == ["redflag.emergency", "redflag.numbness"]
    _line(talk, "yes", voice="unsure")
    assert talk.of("escalate", mark)[0]["flag"] == "redflag.numbness"


def test_talk_in_a_voice_that_may_not_be_theirs_is_no_answer_and_only_the_deadline_escalates(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "my leg has gone numb", voice="unsure")
    talk.until_asked()
    for line in ("the weather will stay dry tomorrow", "back to the studio now", "and that is the news"):
        talk.wait(2)
        _line(talk, line, voice="unsure")
    assert not talk.of("escalate", mark)  # before, the second line of talk escalated it as unanswered
    _line(talk, "my leg has gone numb", voice="unsure")  # the same flag again: the question already waits
    assert [e["state"] for e in talk.of("check", mark)] == ["asked"]
    talk.wait(120)
    assert [e["state"] for e in talk.of("check", mark)] == ["asked", "unanswered"]
    assert talk.of("escalate", mark)[0]["flag"] == "redflag.numbness"  # they may be unable to answer


def test_during_an_emergency_a_red_flag_in_a_doubtful_voice_repeats_the_alarm_and_escalates_nothing_new(
        config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "i can't control my bladder", voice="person")
    assert [e["severity"] for e in talk.of("escalate", mark)] == ["emergency"]
    talk.wait(3)
    again = talk.mark()
    _line(talk, "i've lost all feeling in my groin", voice="unsure")
    _line(talk, "my leg has gone numb", voice="other")
    assert not talk.of("escalate", again) and not talk.of("check", again)
    assert talk.spoken(again)  # the alarm is said again
    _line(talk, "i've lost all feeling in my groin", voice="person")  # theirs: as before
    assert [e["severity"] for e in talk.of("escalate", again)] == ["emergency"]


def test_enrolled_a_red_flag_that_sounds_like_background_counts_only_in_the_persons_voice(config: Config) -> None:
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "i try the stand in my leg just folded", voice="other", background=True, addressed=False)
    assert not talk.of("check", mark) and not talk.of("escalate", mark)
    _line(talk, "i try the stand in my leg just folded", voice="unsure", background=True, addressed=False)
    assert not talk.of("check", mark) and not talk.of("escalate", mark)  # measured: the television is often unsure
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "i try the stand in my leg just folded", voice="person", background=True, addressed=False)
    assert talk.of("escalate", mark)[0]["severity"] == "urgent"
    talk = _in_session(config)
    mark = talk.mark()
    _line(talk, "i try the stand in my leg just folded", background=True, addressed=False)  # unenrolled
    assert not talk.of("check", mark) and not talk.of("escalate", mark)


def test_a_red_flag_after_the_confirmed_wake_phrase_in_an_unsure_voice_is_acted_on_at_once(config: Config) -> None:
    talk = Talk(config, wake=WAKE)
    _line(talk, "hey care my leg has gone numb", voice="unsure", stage="template")
    assert talk.of("escalate")[0]["severity"] == "urgent" and not talk.of("check")
    talk = Talk(config, wake=WAKE)
    _line(talk, "hey care my leg has gone numb", voice="other", stage="template")
    assert not talk.of("escalate") and talk.of("check")[0]["state"] == "asked"
