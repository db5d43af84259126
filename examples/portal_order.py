#!/usr/bin/env python3
"""What a portal developer writes: when a payment succeeds, tell the Fulfillment Hub to make the cluster.

Two ways, standard library only:
  webhook  -- a signed Standard Webhooks delivery (order.paid) to POST /webhooks/billing
  api      -- POST /api/fulfillment/v1/clusters with a bearer token and an Idempotency-Key

Both are safe to retry: the same order id (webhook-id / Idempotency-Key) makes the same single cluster.

  python3 examples/portal_order.py --hub http://localhost:8080 --mode webhook \
      --secret "$(python3 -c "import json;print(json.load(open('data/secrets.json'))['billing_webhook_secret'])")" \
      --order ord_123 --tenant demo --template ocp-small --workers 2 --duration P7D --name portal-demo
  python3 examples/portal_order.py --hub http://localhost:8080 --mode api \
      --token "$(python3 -c "import json;print(json.load(open('data/tokens.json'))['tenant-admin'])")" \
      --order ord_124 --template ocp-small --workers 2 --duration P7D --name portal-demo-2
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request


def standard_webhook_headers(secret, msg_id, body):
    """Standard Webhooks v1: HMAC-SHA256 over 'id.timestamp.body' with the base64 key after 'whsec_'."""
    key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
    ts = str(int(time.time()))
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return {"webhook-id": msg_id, "webhook-timestamp": ts,
            "webhook-signature": "v1," + base64.b64encode(mac).decode()}


def post(url, body, headers, attempts=5):
    """POST with retries on network errors and 5xx (the hub is idempotent on the order id)."""
    for attempt in range(attempts):
        req = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(req, timeout=15) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")
            if e.code < 500:
                raise SystemExit(f"refused by the hub: HTTP {e.code} {detail}")
        except urllib.error.URLError as e:
            detail = str(e.reason)
        time.sleep(min(2 ** attempt, 10))
    raise SystemExit(f"the hub did not accept the order after {attempts} attempts: {detail}")


def get(url, token):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=15) as resp:
        return json.loads(resp.read())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hub", default="http://localhost:8080")
    p.add_argument("--mode", choices=["webhook", "api"], default="webhook")
    p.add_argument("--secret", help="Standard Webhooks secret (whsec_...), for --mode webhook")
    p.add_argument("--token", help="bearer token of a tenant admin, for --mode api (and to look the cluster up)")
    p.add_argument("--order", required=True, help="the portal's order id: the idempotency key")
    p.add_argument("--tenant", default="demo")
    p.add_argument("--template", required=True)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--duration", default=None)
    p.add_argument("--name", default=None)
    a = p.parse_args()

    if a.mode == "webhook":
        if not a.secret:
            p.error("--secret is required with --mode webhook")
        data = {"order_id": a.order, "tenant": a.tenant, "template": a.template}
        if a.duration:
            data["duration"] = a.duration
        if a.name:
            data["cluster_name"] = a.name
        if a.workers is not None:
            data["node_sets"] = {"workers": {"size": a.workers}}
        body = json.dumps({"type": "order.paid", "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "data": data}).encode()
        status, ack = post(a.hub + "/webhooks/billing", body, standard_webhook_headers(a.secret, "ord-" + a.order, body))
        print(json.dumps({"accepted": status, "event_id": ack.get("event_id"), "duplicate": ack.get("duplicate")}))
        if a.token and a.name:
            # the hub applies the order asynchronously: look for the cluster for a little while
            for _ in range(60):
                found = get(f"{a.hub}/api/fulfillment/v1/clusters?name={a.name}", a.token)
                if found["items"]:
                    c = found["items"][0]
                    print(json.dumps({"cluster_id": c["id"], "state": c["status"]["state"]}))
                    return 0
                time.sleep(0.5)
            raise SystemExit("the order was accepted but no cluster appeared yet")
        return 0

    if not a.token:
        p.error("--token is required with --mode api")
    spec = {"template": a.template}
    if a.duration:
        spec["duration"] = a.duration
    if a.workers is not None:
        spec["node_sets"] = {"workers": {"size": a.workers}}
    order = {"spec": spec}
    if a.name:
        order["metadata"] = {"name": a.name}
    status, cluster = post(a.hub + "/api/fulfillment/v1/clusters", json.dumps(order).encode(),
                           {"Authorization": "Bearer " + a.token, "Idempotency-Key": a.order})
    print(json.dumps({"cluster_id": cluster["id"], "state": cluster["status"]["state"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
