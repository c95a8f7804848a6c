"""Keeping the box running: backups, retention, the clock guard, systemd's watchdog, the doctor,
serving, and the serving core's upkeep. Never imports the web layer."""
