"""Starts the credit-registry outlet and its listing from the environment."""

import logging
import os
import signal
import sys

from .listing import serve
from .outlet import Outlet, Refused
from .store import Store

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise SystemExit(f"credit-registry: {name}={raw!r} must be a whole number, {minimum} or more")
    return int(raw)


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    credential = os.environ.get("HERALD_OUTLET_TOKEN", "")
    if not credential:
        print(
            "credit-registry: HERALD_OUTLET_TOKEN is required: the credential `herald outlet add` printed",
            file=sys.stderr,
        )
        return 2
    db_path = os.environ.get("CREDIT_REGISTRY_DB") or os.path.join(HERE, "data", "registry.sqlite3")
    os.makedirs(os.path.dirname(os.path.abspath(db_path)), exist_ok=True)
    store = Store(db_path)
    listen = os.environ.get("CREDIT_REGISTRY_LISTEN", "127.0.0.1:8790")
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        print(f"credit-registry: CREDIT_REGISTRY_LISTEN={listen!r} must be host:port", file=sys.stderr)
        return 2
    server, bound = serve(store, host or "127.0.0.1", int(port))
    # Printed on stdout so that a supervisor (or a test) started with port 0 can find it.
    print(f"credit-registry: listing on http://{host or '127.0.0.1'}:{bound}/", flush=True)

    outlet = Outlet(
        gateway=os.environ.get("HERALD_GATEWAY", "127.0.0.1:50060"),
        name=os.environ.get("HERALD_OUTLET_NAME", "credit-registry"),
        credential=credential,
        store=store,
        credit=env_int("HERALD_OUTLET_CREDIT", 16, 1),
        backoff_initial=env_int("HERALD_RECONNECT_INITIAL_MS", 1000, 1) / 1000,
        backoff_max=env_int("HERALD_RECONNECT_MAX_MS", 60000, 1) / 1000,
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: outlet.stop())
    try:
        outlet.run()
    except Refused as refused:
        print(f"credit-registry: refused by the gateway: {refused}", file=sys.stderr)
        return 1
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
