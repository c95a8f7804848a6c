"""xephang hardware."""
