#!/usr/bin/env python3
"""A gRPC client in Python (grpcio) that plays a scenario file's load against `jostle serve`.

It sends CreateOrder calls at a fixed rate (open loop, one channel, grpcio's own round_robin
or pick_first over the addresses given, wait-for-ready off as gRPC's default), timed from the
moment it is told to go, so that its calls line up with serve's fault timeline, which starts
when serve starts serving. The Python stubs of proto/orders.proto must already be in --stubs.

Usage:

    scenario_client.py --stubs DIR --policy round_robin --rate 100 --duration 3 \
        --warm-up 0.1 --deadline 1

It prints {"waiting": true} once imported, then reads one line from stdin:

    go ipv4:127.0.0.1:A,127.0.0.1:B    open the channel and start the load at once

and, when the load is over, prints one JSON line of counts and exits 0:

    {"calls": 300, "served": {"backend-0": 100, ...}, "failed": {"UNAVAILABLE": 2},
     "mismatched": 0, "late": 0}

`served` is by the response's `served_by`; `mismatched` counts answers whose `x-jostle-backend`
header named another backend; `late` counts calls started more than 50 ms after their time (a
busy machine). Only addresses on 127.0.0.1 are accepted; at most 100,000 calls. Bad input is
one line on stderr and exit 2.
"""

import argparse
import json
import sys
import time

import grpc

MAX_CALLS = 100_000
BACKEND_HEADER = "x-jostle-backend"
POLICIES = ("round_robin", "pick_first")


def fail(message):
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stubs", required=True, help="directory of orders_pb2*.py")
    parser.add_argument("--policy", required=True, choices=POLICIES)
    parser.add_argument("--rate", type=float, required=True, help="calls per second")
    parser.add_argument("--duration", type=float, required=True, help="seconds of load")
    parser.add_argument("--warm-up", type=float, default=0.0, help="seconds before the first call")
    parser.add_argument("--deadline", type=float, default=1.0, help="seconds per call")
    parser.add_argument("--authority", default="jostle-serve",
                        help="the :authority to send (grpc.default_authority)")
    args = parser.parse_args()
    if not 0 < args.rate <= 1000 or not 0 < args.duration <= 600:
        fail("--rate must be in (0, 1000] calls/s and --duration in (0, 600] seconds")
    if not 0 <= args.warm_up <= 60 or not 0 < args.deadline <= 60:
        fail("--warm-up must be in [0, 60] and --deadline in (0, 60] seconds")
    if args.rate * args.duration > MAX_CALLS:
        fail(f"--rate x --duration is more than {MAX_CALLS} calls")
    return args


def target_of(line):
    words = line.split()
    if len(words) != 2 or words[0] != "go" or not words[1].startswith("ipv4:"):
        fail(f"expected `go ipv4:127.0.0.1:PORT,...`, got {line.strip()!r}")
    for address in words[1][len("ipv4:"):].split(","):
        host, _, port = address.rpartition(":")
        if host != "127.0.0.1" or not port.isdigit():
            fail(f"{address!r} is not 127.0.0.1:PORT; this client calls loopback only")
    return words[1]


def request(orders_pb2, n):
    quantity = 1 + n % 3
    unit_price_minor = 250 + (n % 11) * 10
    return orders_pb2.CreateOrderRequest(
        customer_id=f"customer-{n % 7}",
        items=[orders_pb2.LineItem(sku=f"SKU-{n % 13}", quantity=quantity,
                                   unit_price_minor=unit_price_minor)],
        amount_minor=unit_price_minor * quantity,
        currency="EUR",
    )


def play(stub, orders_pb2, args, started):
    served, failed, mismatched, late = {}, {}, 0, 0
    calls = int(round(args.rate * args.duration))
    for n in range(calls):
        due = started + args.warm_up + n / args.rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        elif wait < -0.05:
            late += 1
        try:
            response, call = stub.CreateOrder.with_call(request(orders_pb2, n),
                                                        timeout=args.deadline)
        except grpc.RpcError as error:
            code = error.code().name
            failed[code] = failed.get(code, 0) + 1
            continue
        name = response.served_by
        served[name] = served.get(name, 0) + 1
        if dict(call.initial_metadata() or ()).get(BACKEND_HEADER) != name:
            mismatched += 1
    return {"calls": calls, "served": served, "failed": failed, "mismatched": mismatched,
            "late": late}


def main():
    args = parse_args()
    sys.path.insert(0, args.stubs)
    try:
        import orders_pb2
        import orders_pb2_grpc
    except ImportError as error:
        fail(f"no stubs in {args.stubs} ({error}); generate them with grpc_tools.protoc")
    print(json.dumps({"waiting": True}), flush=True)
    target = target_of(sys.stdin.readline())
    started = time.monotonic()
    options = [
        ("grpc.lb_policy_name", args.policy),
        ("grpc.default_authority", args.authority),
    ]
    with grpc.insecure_channel(target, options=options) as channel:
        stub = orders_pb2_grpc.OrderServiceStub(channel)
        counts = play(stub, orders_pb2, args, started)
    print(json.dumps(counts, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
