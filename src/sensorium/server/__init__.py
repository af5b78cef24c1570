"""The HTTP server: one ASGI app for every service."""
