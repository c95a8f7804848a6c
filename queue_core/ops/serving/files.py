"""Open files: every live connection is one, and the usual soft limit (1024) is too low."""

from __future__ import annotations

import logging
import resource

log = logging.getLogger("xephang")

# Open files needed beyond the connections themselves (database, logs, speech, printing).
SPARE_FILES = 256


def raise_open_file_limit(connections: int) -> int:
    """Lift the soft limit on open files towards what `connections` need; return it.

    Every connection is a file descriptor; the usual soft limit (1024) would refuse
    sockets long before the configured ceiling.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_FILES
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError) as exc:
            log.warning("cannot raise the open-file limit to %d: %s", wanted, exc)
    if soft < connections + SPARE_FILES:
        log.warning("only %d open files allowed: fewer connections than server.max_connections "
                    "(%d) can be held; raise LimitNOFILE", soft, connections)
    return int(soft)
