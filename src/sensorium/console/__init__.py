"""The console: a browser app at ``/console`` whose compiled files ship in this package.

The files carry no data, so they are the only paths served without a signature; every
request the app makes is an API call that the browser signs with SigV4, as boto3 would.
"""

from sensorium.console.files import Console, console_routes

__all__ = ["Console", "console_routes"]
