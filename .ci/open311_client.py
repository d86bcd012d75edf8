#!/usr/bin/env python3
"""Drives OneWindow's Open311 GeoReport v2 interface with a real Open311 client library from
PyPI (georeport), in JSON and XML, against a running `onewindow serve --demo`.

georeport reads (services, definitions, requests); it has no call for posting, so the request is
posted form-encoded with `requests`, as the spec describes. Exits non-zero on the first failure.

    python3 .ci/open311_client.py http://127.0.0.1:18311/open311/v2
"""

import sys

import requests
from georeport import GeoReport

base = sys.argv[1].rstrip("/")
checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def listed(x):
    """xmltodict gives one element as a dict and several as a list."""
    return x if isinstance(x, list) else [x]


for fmt in ("json", "xml"):
    client = GeoReport(base, jurisdiction="210000", output_format=fmt)

    services = listed(client.get_service_list())
    codes = {s["service_code"] for s in services}
    check({"drain", "garbage", "road"} <= codes, f"{fmt}: services listed: {codes}")

    definition = client.get_service_definition("garbage")
    attrs = definition["attributes"]
    if fmt == "xml":
        attrs = listed(attrs["attribute"])
    check(attrs[0]["code"] == "kind", f"{fmt}: garbage asks the kind: {definition}")

    # Post a request as the spec says: form-encoded, with the api_key.
    p = {"lat": "40.665", "long": "120.755"}
    posted = requests.post(
        f"{base}/requests.{fmt}",
        data={
            "api_key": "demo-open311-key",
            "jurisdiction_id": "210000",
            "service_code": "garbage",
            "description": f"建筑垃圾堆放（{fmt}客户端）",
            "attribute[kind]": "construction",
            "first_name": "明",
            "last_name": "张",
            **p,
        },
        timeout=10,
    )
    check(posted.status_code == 200, f"{fmt}: posted: {posted.status_code} {posted.text}")
    if fmt == "json":
        request_id = posted.json()[0]["service_request_id"]
    else:
        import xmltodict

        request_id = xmltodict.parse(posted.content)["service_requests"]["request"][
            "service_request_id"
        ]

    one = client.get_service_request(request_id)
    check(one["service_request_id"] == request_id, f"{fmt}: read back by id: {one}")
    check(one["status"] == "open", f"{fmt}: open: {one}")
    check(one["service_code"] == "garbage", f"{fmt}: its service: {one}")

    found = listed(client.get_service_requests(service_code="garbage", status="open"))
    check(
        any(r["service_request_id"] == request_id for r in found),
        f"{fmt}: found by service_code and status",
    )
    closed = listed(client.get_service_requests(status="closed"))
    check(all(r["status"] == "closed" for r in closed), f"{fmt}: closed only")
    check(len(found) <= 1000 and len(closed) <= 1000, f"{fmt}: at most 1000")

    # Errors: a wrong key is 403, an unknown service 404, each a list of {code, description}.
    wrong = requests.post(
        f"{base}/requests.{fmt}",
        data={"api_key": "wrong", "service_code": "garbage", "description": "x", **p},
        timeout=10,
    )
    check(wrong.status_code == 403, f"{fmt}: wrong key: {wrong.status_code}")
    try:
        client.get_service_definition("nope")
        check(False, f"{fmt}: an unknown service is an error")
    except requests.HTTPError as e:
        check(e.response.status_code == 404, f"{fmt}: unknown service: {e}")
        if fmt == "json":
            body = e.response.json()
            check(body[0]["code"] == 404 and body[0]["description"], f"errors list: {body}")
        else:
            check(b"<errors><error><code>404</code>" in e.response.content, "xml errors")

print(f"open311 client: {checks} checks passed (georeport, JSON and XML)")
