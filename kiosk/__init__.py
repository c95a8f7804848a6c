"""xephang kiosk."""
