"""`python -m bench`: the queue core benchmark (HTTP latency, Socket.IO fan-out, memory)."""

from .bench_core import main

raise SystemExit(main())
