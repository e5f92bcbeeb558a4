#!/usr/bin/env python3
"""A gRPC client in Python (grpcio) with grpcio's own round_robin policy, for `jostle serve`.

It opens ONE channel to every address given and keeps it for its whole life, so that what it
does after a backend crashes is grpcio's balancer at work, not a fresh connect. It generates
nothing itself: the Python stubs of harness/proto/orders.proto must already be in --stubs, made with

    python3 -m grpc_tools.protoc -I harness/proto --python_out=DIR --grpc_python_out=DIR harness/proto/orders.proto

Usage:

    round_robin_client.py --stubs DIR --target ipv4:127.0.0.1:A,127.0.0.1:B,127.0.0.1:C

Once the channel is READY it prints {"ready": true}. Then it reads phases from stdin, one a line:

    calls N     make N CreateOrder calls one after the other (1 <= N <= 100000), each with a
                deadline, and print one JSON line of this phase's own counts:
                {"calls": N, "served": {"backend-0": 100, ...}, "failed": {"UNAVAILABLE": 1},
                 "mismatched": 0, "seconds": 0.25}
                `served` is by the response's `served_by`; `mismatched` counts answers whose
                `x-jostle-backend` header named another backend (or none); `seconds` is how
                long the phase took.
    quit        (or end of input) close the channel and exit 0.

Only addresses on 127.0.0.1 are accepted. Bad input is one line on stderr and exit 2.
"""

import argparse
import json
import sys
import time

import grpc

MAX_CALLS = 100_000
BACKEND_HEADER = "x-jostle-backend"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stubs", required=True, help="directory of orders_pb2*.py")
    parser.add_argument("--target", required=True, help="ipv4:127.0.0.1:A,127.0.0.1:B,...")
    parser.add_argument(
        "--authority",
        default="jostle-serve",
        help="the :authority to send (grpc.default_authority); without it grpcio sends the "
        "whole address list, which tonic's HTTP/2 layer rejects",
    )
    parser.add_argument("--deadline", type=float, default=5.0, help="seconds per call")
    parser.add_argument("--ready-timeout", type=float, default=30.0, help="seconds")
    args = parser.parse_args()
    if not args.target.startswith("ipv4:"):
        fail(f"--target {args.target!r}: expected ipv4:127.0.0.1:PORT,127.0.0.1:PORT,...")
    for address in args.target[len("ipv4:"):].split(","):
        host, _, port = address.rpartition(":")
        if host != "127.0.0.1" or not port.isdigit():
            fail(f"--target: {address!r} is not 127.0.0.1:PORT; this client calls loopback only")
    if not 0 < args.deadline <= 60 or not 0 < args.ready_timeout <= 300:
        fail("--deadline must be in (0, 60] and --ready-timeout in (0, 300] seconds")
    return args


def fail(message):
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def emit(value):
    print(json.dumps(value, sort_keys=True), flush=True)


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


def run_phase(stub, orders_pb2, calls, deadline, first):
    served, failed, mismatched = {}, {}, 0
    started = time.monotonic()
    for n in range(first, first + calls):
        try:
            response, call = stub.CreateOrder.with_call(request(orders_pb2, n), timeout=deadline)
        except grpc.RpcError as error:
            code = error.code().name
            failed[code] = failed.get(code, 0) + 1
            continue
        name = response.served_by
        served[name] = served.get(name, 0) + 1
        header = dict(call.initial_metadata() or ()).get(BACKEND_HEADER)
        if header != name:
            mismatched += 1
    seconds = round(time.monotonic() - started, 3)
    return {"calls": calls, "served": served, "failed": failed, "mismatched": mismatched,
            "seconds": seconds}


def main():
    args = parse_args()
    sys.path.insert(0, args.stubs)
    try:
        import orders_pb2
        import orders_pb2_grpc
    except ImportError as error:
        fail(f"no stubs in {args.stubs} ({error}); generate them with grpc_tools.protoc")

    options = [
        ("grpc.lb_policy_name", "round_robin"),
        ("grpc.default_authority", args.authority),
    ]
    with grpc.insecure_channel(args.target, options=options) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=args.ready_timeout)
        except grpc.FutureTimeoutError:
            fail(f"the channel to {args.target} was not READY within {args.ready_timeout}s")
        emit({"ready": True})
        stub = orders_pb2_grpc.OrderServiceStub(channel)
        made = 0
        for line in sys.stdin:
            words = line.split()
            if words == ["quit"]:
                break
            if len(words) != 2 or words[0] != "calls" or not words[1].isdigit():
                fail(f"bad phase {line.strip()!r}; expected `calls N` or `quit`")
            calls = int(words[1])
            if not 1 <= calls <= MAX_CALLS:
                fail(f"calls {calls}: expected 1 to {MAX_CALLS}")
            emit(run_phase(stub, orders_pb2, calls, args.deadline, made))
            made += calls
    return 0


if __name__ == "__main__":
    sys.exit(main())
