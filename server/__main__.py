"""``python -m server``: serve the API with uvicorn (host and port from GARMENT3D_HOST / GARMENT3D_PORT)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys

from server.settings import SettingsError, get_settings

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m server", description="garment3d sample service")
    parser.add_argument("--host", default=settings.host, help=f"address to listen on (default {settings.host})")
    parser.add_argument("--port", type=int, default=settings.port, help=f"port to listen on (default {settings.port})")
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    args = parser.parse_args(argv)
    settings = dataclasses.replace(settings, host=args.host, port=args.port)

    import uvicorn

    from server.app import create_app

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
