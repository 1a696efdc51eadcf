"""The outlet's side of herald.outlet.v1.OutletGateway/Connect, as its .proto says.

One stream at a time: a Hello, then Credit; each Delivery is applied in order
and answered with one Result; Heartbeats every interval the Welcome gives;
InventoryRequests answered with pages read from SQLite. When the stream ends
for a reason worth retrying, it connects again after an exponential backoff
with full jitter (1 s doubling to 60 s, back to 1 s after a Welcome).
"""

import logging
import queue
import random
import socket
import os
import threading
from typing import Iterator, Optional

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from herald.channel.v1 import inventory_pb2 as inventory
from herald.outlet.v1 import outlet_gateway_pb2 as outlet
from herald.outlet.v1 import outlet_gateway_pb2_grpc as outlet_grpc

from . import registry
from .store import Store

log = logging.getLogger("credit-registry")

# After these, connecting again with the same credential cannot help.
FINAL = {
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.FAILED_PRECONDITION,
}
_END = object()


class Refused(Exception):
    """The gateway refused the outlet for good (wrong credential, revoked, contract broken)."""


class Outlet:
    def __init__(
        self,
        *,
        gateway: str,
        name: str,
        credential: str,
        store: Store,
        credit: int = 16,
        instance_id: Optional[str] = None,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
    ) -> None:
        self.gateway = gateway
        self.name = name
        self.credential = credential
        self.store = store
        self.credit = credit
        self.instance_id = instance_id or f"{socket.gethostname()}-{os.getpid()}"
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self._stopping = threading.Event()
        self._call = None

    def stop(self) -> None:
        self._stopping.set()
        call = self._call
        if call is not None:
            call.cancel()

    def run(self) -> None:
        """Connects and reconnects until stopped; raises Refused when the gateway says no for good."""
        failures = 0
        while not self._stopping.is_set():
            welcomed = False
            try:
                welcomed = self._session()
            except grpc.RpcError as error:
                code = error.code()
                if self._stopping.is_set():
                    return
                if code in FINAL:
                    raise Refused(f"{code.name}: {error.details()}") from error
                log.warning("stream ended: %s: %s", code.name, error.details())
            if self._stopping.is_set():
                return
            failures = 1 if welcomed else failures + 1
            delay = random.uniform(0, min(self.backoff_max, self.backoff_initial * 2 ** (failures - 1)))
            log.info("connecting again in %.1f s", delay)
            self._stopping.wait(delay)

    def _session(self) -> bool:
        """One stream, until it ends. True if it got as far as a Welcome."""
        outbox: "queue.Queue[object]" = queue.Queue()
        outbox.put(
            outlet.ConnectRequest(
                hello=outlet.Hello(
                    outlet=self.name,
                    credential=self.credential,
                    instance_id=self.instance_id,
                    protocol_version=outlet.PROTOCOL_VERSION_1,
                    # Empty: take the registration as it is; kinds the registry does
                    # not keep are declined one by one, so the receipts say so.
                    policy=outlet.OutletPolicy(),
                    initial_credit=self.credit,
                    user_agent="credit-registry example (python grpcio)",
                )
            )
        )

        def requests() -> Iterator[outlet.ConnectRequest]:
            while True:
                message = outbox.get()
                if message is _END:
                    return
                log.debug("sending %s", message.WhichOneof("body"))  # type: ignore[attr-defined]
                yield message  # type: ignore[misc]

        channel = grpc.insecure_channel(self.gateway)
        heartbeat_stop = threading.Event()
        welcomed = False
        try:
            stub = outlet_grpc.OutletGatewayStub(channel)
            call = stub.Connect(requests())
            self._call = call
            if self._stopping.is_set():
                call.cancel()
            for response in call:
                body = response.WhichOneof("body")
                if body == "welcome":
                    welcomed = True
                    welcome = response.welcome
                    interval = welcome.heartbeat_interval.ToMilliseconds() / 1000 or 10.0
                    log.info(
                        "connected to %s as %s (session %s, backfilling=%s)",
                        self.gateway,
                        self.name,
                        welcome.session_id,
                        welcome.backfilling,
                    )
                    outbox.put(outlet.ConnectRequest(credit=outlet.Credit(in_flight_limit=self.credit)))
                    threading.Thread(
                        target=self._heartbeats, args=(outbox, interval, heartbeat_stop), daemon=True
                    ).start()
                elif body == "delivery":
                    outbox.put(self._deliver(response.delivery))
                elif body == "inventory_request":
                    log.debug("inventory request %s", response.inventory_request.request_id)
                    outbox.put(self._inventory(response.inventory_request))
                # A heartbeat from the gateway needs no answer.
            return welcomed
        finally:
            heartbeat_stop.set()
            outbox.put(_END)
            self._call = None
            channel.close()

    def _deliver(self, delivery: outlet.Delivery) -> outlet.ConnectRequest:
        try:
            if delivery.action == outlet.ACTION_REMOVE:
                return registry.remove(self.store, delivery)
            return registry.apply(self.store, delivery)
        except Exception as error:  # a locked or full database: worth another try later
            log.exception("could not apply %s", delivery.state.id)
            return registry.failed(delivery.delivery_id, "registry.database", str(error), True)

    def _inventory(self, request: outlet.InventoryRequest) -> outlet.ConnectRequest:
        try:
            decisions, next_token = self.store.page(request.page_token, request.page_size or 500)
        except Exception as error:
            # The audit then reports the outlet unreachable, not its items missing.
            return outlet.ConnectRequest(
                inventory_page=outlet.InventoryPage(request_id=request.request_id, error=str(error))
            )
        holdings = []
        for d in decisions:
            applied_at = Timestamp()
            applied_at.FromMilliseconds(d.applied_at_ms)
            holdings.append(
                inventory.Holding(
                    item_id=d.item_id,
                    version=d.version,
                    checksum=d.checksum,
                    external_ref=d.external_ref,
                    status=d.status,
                    applied_at=applied_at,
                )
            )
        return outlet.ConnectRequest(
            inventory_page=outlet.InventoryPage(
                request_id=request.request_id, holdings=holdings, next_page_token=next_token
            )
        )

    @staticmethod
    def _heartbeats(outbox: "queue.Queue[object]", interval: float, stop: threading.Event) -> None:
        while not stop.wait(interval):
            sent_at = Timestamp()
            sent_at.GetCurrentTime()
            outbox.put(outlet.ConnectRequest(heartbeat=outlet.Heartbeat(sent_at=sent_at)))
