"""xephang display."""
