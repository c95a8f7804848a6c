"""The province hub: every commune center of a province in one view, on PostgreSQL.

A separate service (`xephang hub serve`) beside the boxes: each box forwards its events
(`POST /api/v1/ingest`, see README.md in this folder), the hub applies each (stream, seq)
once, counts every center's days with the box's own statistics, and serves the province's
dashboard and API. It shares no process, database or code path with a box's server; from
the box it takes only the pure statistics (`queue_core.stats.figures`), the domain's errors,
messages and clock, and the page assets.

Layers: `protocol`, `sequencing`, `codec` (pure); `storage/` (the only SQL); `accounts`,
`ingest`, `aggregate`, `figures`, `report` (the service); `web/` (Flask: `create_app`);
`cli` and `server` (processes).
"""
