"""The listening stages, one module a stage: front end, wake detector, recognizer, understanding, voice."""
