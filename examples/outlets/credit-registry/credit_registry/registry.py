"""What the registry does with one delivery: the rules of a 双公示 register.

Each function returns the Result to send; nothing here touches the network.
"""

from datetime import datetime, timedelta, timezone

from herald.content.v1 import item_state_pb2 as items
from herald.outlet.v1 import outlet_gateway_pb2 as outlet

from .store import Decision, Store

# Herald's dates are midnight where the issuing office is (Asia/Shanghai, no DST).
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

KEPT_KINDS = {
    items.ITEM_KIND_ADMINISTRATIVE_LICENCE: "licence",
    items.ITEM_KIND_ADMINISTRATIVE_PENALTY: "penalty",
}


def _date(ts) -> str:
    if ts is None or (ts.seconds == 0 and ts.nanos == 0):
        return ""
    return datetime.fromtimestamp(ts.seconds, tz=CHINA).strftime("%Y-%m-%d")


def external_ref(item_id: str) -> str:
    return f"credit-registry:decision/{item_id}"


def declined(delivery_id: str, rule: str, message: str) -> outlet.ConnectRequest:
    return outlet.ConnectRequest(
        result=outlet.Result(
            delivery_id=delivery_id, declined=outlet.Declined(rule=rule, message=message)
        )
    )


def delivered(delivery_id: str, ref: str = "", checksum: str = "") -> outlet.ConnectRequest:
    return outlet.ConnectRequest(
        result=outlet.Result(
            delivery_id=delivery_id,
            delivered=outlet.Delivered(external_ref=ref, checksum=checksum),
        )
    )


def failed(delivery_id: str, code: str, message: str, retryable: bool) -> outlet.ConnectRequest:
    return outlet.ConnectRequest(
        result=outlet.Result(
            delivery_id=delivery_id,
            failed=outlet.Failed(code=code, message=message, retryable=retryable),
        )
    )


def decision_of(state: items.ItemState) -> Decision:
    which = state.WhichOneof("details")
    explanation = state.takedown.public_explanation if state.HasField("takedown") else ""
    common = dict(
        item_id=state.id,
        version=state.version,
        checksum=state.checksum,
        status=state.status,
        title=state.title,
        explanation=explanation,
        external_ref=external_ref(state.id),
    )
    if which == "licence":
        d = state.licence
        return Decision(
            kind="licence",
            decision_number=d.licence_number,
            party_name=d.holder.name,
            party_identifier=d.holder.identifier,
            office=d.licensing_office or state.issuing_office,
            decision_date=_date(d.decision_date),
            matter=d.licensed_matter,
            basis="",
            **common,
        )
    d = state.penalty
    return Decision(
        kind="penalty",
        decision_number=d.decision_number,
        party_name=d.party.name,
        party_identifier=d.party.identifier,
        office=d.deciding_office or state.issuing_office,
        decision_date=_date(d.decision_date),
        matter=d.penalty,
        basis=d.legal_basis,
        **common,
    )


def apply(store: Store, delivery: outlet.Delivery) -> outlet.ConnectRequest:
    state = delivery.state
    did = delivery.delivery_id
    if state.kind not in KEPT_KINDS:
        kind = items.ItemKind.Name(state.kind)
        return declined(did, "registry.kind-not-kept", f"{kind}: the registry keeps only licence and penalty decisions")
    which = state.WhichOneof("details")
    if which != KEPT_KINDS[state.kind]:
        return declined(
            did,
            "registry.decision-without-details",
            f"details: a {KEPT_KINDS[state.kind]} decision must carry its {KEPT_KINDS[state.kind]} details",
        )
    decision = decision_of(state)
    if not decision.party_name:
        return declined(did, "registry.decision-without-party", "party: a decision must name its party")
    held = store.get(state.id)
    if held and held.version > state.version:
        # Older than what is held (a replay): keep the newer one and say what is held.
        return delivered(did, held.external_ref, held.checksum)
    if held and held.version == state.version:
        if held.checksum != state.checksum:
            return failed(
                did,
                "registry.checksum-mismatch",
                f"checksum: version {state.version} of {state.id} is held with another checksum",
                False,
            )
        # The same version again (a redelivery): done already, nothing is written.
        return delivered(did, held.external_ref, held.checksum)
    stored = store.put(decision)
    return delivered(did, stored.external_ref, stored.checksum)


def remove(store: Store, delivery: outlet.Delivery) -> outlet.ConnectRequest:
    store.delete(delivery.state.id)
    return delivered(delivery.delivery_id)
