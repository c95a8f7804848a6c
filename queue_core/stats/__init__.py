"""Statistics: pure figures, reports and a simulated history; only `reader` touches storage."""
