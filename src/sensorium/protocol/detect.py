"""Which wire protocol a request is in."""

from __future__ import annotations

from sensorium.protocol.catalog import ServiceCatalog
from sensorium.protocol.json_rpc import JsonRpcProtocol
from sensorium.protocol.rest_json import RestJsonProtocol
from sensorium.protocol.rest_xml import RestXmlProtocol
from sensorium.protocol.rpc_v2_cbor import RpcV2CborProtocol
from sensorium.protocol.wire import WireProtocol, WireRequest


def wire_protocols(catalog: ServiceCatalog) -> list[WireProtocol]:
    """Every protocol, most specific first: REST-JSON claims whatever the others do not
    (REST-XML only what is signed for S3)."""
    return [
        RpcV2CborProtocol(catalog),
        JsonRpcProtocol(catalog),
        RestXmlProtocol(catalog),
        RestJsonProtocol(catalog),
    ]


def detect(protocols: list[WireProtocol], request: WireRequest) -> WireProtocol:
    return next(protocol for protocol in protocols if protocol.claims(request))
