"""Process a UN Comtrade answer: check the JSON envelope and flag truncation (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from energytrade.sources.comtrade.errors import ComtradeBadResponse
from energytrade.sources.comtrade.http import HttpReply, snippet
from energytrade.sources.comtrade.query import KEYED_DEFAULT_MAX_RECORDS, PREVIEW_MAX_RECORDS, ComtradeRequest


@dataclass(frozen=True)
class ComtradeReply:
    """A checked answer: its records, ``count``, and whether it hit the record cap."""

    records: list[dict[str, Any]]
    count: int
    truncated: bool


def parse_body(body: bytes, where: str, content_type: str = "") -> tuple[list[dict[str, Any]], int]:
    """The records and ``count`` of a response body (``{"elapsedTime", "count", "data", "error"}``).

    Raises
    ------
    ComtradeBadResponse
        The body is not JSON (an HTML error page), not the envelope, reports an ``error``, or its
        ``count`` differs from the number of records (a cut-off body).
    """
    try:
        payload = json.loads(body.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        kind = f" ({content_type})" if content_type else ""
        raise ComtradeBadResponse(
            f"UN Comtrade sent a body that is not JSON{kind} for {where}; it starts with {snippet(body)}. "
            "An HTML page usually means a wrong base URL or a service outage"
        ) from None
    if not isinstance(payload, dict) or "data" not in payload or "count" not in payload:
        raise ComtradeBadResponse(
            f"UN Comtrade sent JSON without the count/data envelope for {where}; it starts with {snippet(body)}"
        )
    if payload.get("error"):
        raise ComtradeBadResponse(f"UN Comtrade reported an error for {where}: {snippet(str(payload['error']))}")
    records, count = payload["data"], payload["count"]
    if not isinstance(records, list) or not isinstance(count, int) or count != len(records):
        raise ComtradeBadResponse(
            f"UN Comtrade's answer for {where} is inconsistent (count {count!r}, "
            f"{len(records) if isinstance(records, list) else 'no'} records); run the command again"
        )
    return records, count


def process(request: ComtradeRequest, reply: HttpReply) -> ComtradeReply:
    """Check a 200 answer and flag truncation.

    A count that reaches the ``maxRecords`` asked for, or the endpoint's own cap (500 preview, 100000 free
    key: the server may cap below what was asked), means the answer may be cut off: the API says nothing
    else when it truncates [REAL CTR ct_process_response.R].
    """
    records, count = parse_body(reply.body, reply.url, reply.content_type)
    server_cap = KEYED_DEFAULT_MAX_RECORDS if request.keyed else PREVIEW_MAX_RECORDS
    truncated = count > 0 and (count >= request.max_records or count >= server_cap)
    return ComtradeReply(records=records, count=count, truncated=truncated)
