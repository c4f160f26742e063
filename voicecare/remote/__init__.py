"""voicecare in a home that runs Home Assistant: the Wyoming protocol (serving ``handle`` and ``asr``,
using remote speech to text and text to speech with local fallback) and announcements on satellites.

Everything here is off until configured; audio and words go only to the services named in the config.
"""
