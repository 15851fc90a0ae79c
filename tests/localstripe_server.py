"""Run the localstripe emulator on loopback only (its own CLI binds every interface)."""

import sys

import localstripe.resources as resources
from aiohttp import web
from localstripe.server import app

resources.Store.dump_to_disk = lambda self: None  # no pickle written on every change

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
