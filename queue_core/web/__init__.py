"""The web side of the core: `app.create_app` (the composition root), the REST API by resource,
pages, the Socket.IO hub (`realtime`), security. It never imports storage."""
