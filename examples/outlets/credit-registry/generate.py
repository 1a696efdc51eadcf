"""Generates the Python messages and stubs of the outlet contract from proto/.

Only the contract and its imports are compiled: the outlet needs nothing else
from Herald. The output goes to a fresh folder that is renamed into place, so a
run started while another generates never imports half a package.
"""

import os
import shutil
import sys

import grpc_tools
from grpc_tools import protoc

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.normpath(os.path.join(HERE, "..", "..", "..", "proto"))
CONTRACT = [
    "herald/outlet/v1/outlet_gateway.proto",
    "herald/channel/v1/inventory.proto",
    "herald/content/v1/item_state.proto",
]


def generate(out: str) -> None:
    building = f"{out}.building-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    os.makedirs(building)
    # grpcio-tools ships google/protobuf/*.proto (Duration, Timestamp).
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    code = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{PROTO}",
            f"-I{well_known}",
            f"--python_out={building}",
            f"--grpc_python_out={building}",
            *[os.path.join(PROTO, path) for path in CONTRACT],
        ]
    )
    if code != 0:
        shutil.rmtree(building, ignore_errors=True)
        raise SystemExit(f"protoc failed with exit code {code} on {', '.join(CONTRACT)}")
    old = f"{out}.old-{os.getpid()}"
    if os.path.exists(out):
        os.rename(out, old)
    os.rename(building, out)
    shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    generate(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "gen"))
