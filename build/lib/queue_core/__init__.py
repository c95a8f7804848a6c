"""The xephang queue core: domain, storage and server of the queue appliance."""

__version__ = "0.1.0"
