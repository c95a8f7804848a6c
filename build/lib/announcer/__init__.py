"""Vietnamese speech for calls: text, synthesis, chime and playback, the announcer satellite."""
