"""The one link from a satellite to the core: `CoreClient` (REST) and `CoreLink` (Socket.IO).

Every satellite (announcer, button kiosk, native screen, keypad, rating pad) talks to
the core through these two, so a reconnect or resync fix is made once.
"""
