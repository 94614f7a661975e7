"""``garment3d serve``, ``worker`` and ``users``: the service's commands (wired into garment3d.cli)."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from garment3d.errors import InvalidRequestError
from server.logs import configure
from server.settings import SettingsError, get_settings

__all__ = ["serve", "users", "worker"]


def _settings():
    try:
        return get_settings()
    except SettingsError as exc:
        raise InvalidRequestError(str(exc)) from None


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app

    settings = _settings()
    changes = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if args.workers is not None:
        if not 0 <= args.workers <= 64:
            raise InvalidRequestError("--workers must be between 0 and 64")
        changes |= {"max_concurrent_jobs": args.workers, "run_worker": args.workers > 0}
    settings = dataclasses.replace(settings, **changes)
    configure(args.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=args.log_level,
                log_config=None)
    return 0


def worker(args: argparse.Namespace) -> int:
    """A distributed worker: takes jobs from the broker's queues until stopped (SIGTERM: finish or hand back)."""
    from server.jobs.queue import QUEUE_NAMES

    settings = _settings()
    if not settings.distributed:
        raise InvalidRequestError("garment3d worker needs GARMENT3D_BROKER_URL (e.g. redis://127.0.0.1:6379/0); "
                                  "without a broker, garment3d serve runs its own workers")
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = sorted(set(queues) - set(QUEUE_NAMES))
    if not queues or unknown:
        raise InvalidRequestError(f"--queues takes {', '.join(QUEUE_NAMES)} (comma-separated), not "
                                  f"'{', '.join(unknown) or args.queues}'")
    if not 1 <= args.concurrency <= 64:
        raise InvalidRequestError("--concurrency must be between 1 and 64")
    configure(args.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    from server.jobs.celery_worker import run_worker

    return run_worker(settings, queues, args.concurrency, name=args.name, log_level=args.log_level)


def users(args: argparse.Namespace) -> int:
    from server.accounts import add_user, list_users
    from server.db.engine import make_database

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = make_database(settings.db_url)
    try:
        if args.users_command == "add":
            user, key = add_user(db, args.name, args.role, args.org)
            print(f"added {user.role} '{user.name}' to organisation '{user.org_name}'", file=sys.stderr)
            print("API key (shown once; send it as 'Authorization: Bearer KEY'):", file=sys.stderr)
            print(key)
        else:
            for user in list_users(db):
                state = "disabled" if user.disabled_at else "active"
                print(f"{user.id}  {user.org_name:<16} {user.role:<8} {user.name:<24} {user.key_prefix}...  {state}")
    finally:
        db.dispose()
    return 0
