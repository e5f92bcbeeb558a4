#!/usr/bin/env python3
"""A reference client for `jostle serve`: Python grpcio (gRPC C-core) that plays a scenario's
load and writes its call records, one JSON object a line (docs/calls.schema.json).

It sends CreateOrder calls over one channel with grpcio's own load balancing policy
(round_robin or pick_first) over the addresses `jostle serve` announces, wait-for-ready off as
gRPC's default: an open loop (--rate calls per second for --duration seconds) or a closed loop
(--concurrency calls in flight until --calls calls). Calls are timed from the scenario's origin,
the `origin_unix_ms` of serve's ready line, plus --warm-up, so that they line up with serve's
fault timeline. Each call's record: its start and end in ms since the origin, its status code
name (grpcio's `StatusCode.name`), the backend its answer's `x-jostle-backend` header names
(or null), its deadline.

    jostle serve --scenario fixtures/battery/restart.toml --calls calls.jsonl > ready.json &
    python3 examples/clients/python/grpcio_client.py --ready ready.json \\
        --rate 200 --duration 5 --warm-up 0.1 --deadline 0.5 --calls calls.jsonl

--ready FILE waits for serve's first line in FILE; `--ready -` prints {"waiting": true} once
grpcio is imported, then reads that line from stdin. The records are written whole at the end
(a file beside --calls, renamed over it): `jostle serve --calls` reads them then. Last, one JSON
line of counts goes to stdout: {"calls": N, "served": {"backend-0": ...}, "failed": {"UNAVAILABLE":
...}, "mismatched": M, "late": L} (`mismatched`: answers whose header and `served_by` disagree;
`late`: calls started more than 50 ms after their time). The Python stubs of
harness/proto/orders.proto are generated with grpcio-tools unless --stubs gives them. Only
127.0.0.1 addresses are called; at most 100,000 calls. Bad input: one line on stderr, exit 2.
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time

import grpc

MAX_CALLS = 100_000
BACKEND_HEADER = "x-jostle-backend"
POLICIES = ("round_robin", "pick_first")
PROTO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                         "harness", "proto")


def fail(message):
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready", required=True,
                        help="serve's stdout (its first line), or - to read it from stdin")
    parser.add_argument("--calls", required=True, help="where to write the call records")
    parser.add_argument("--policy", default="round_robin", choices=POLICIES)
    parser.add_argument("--rate", type=float, help="calls per second (open loop)")
    parser.add_argument("--duration", type=float, help="seconds of open-loop load")
    parser.add_argument("--concurrency", type=int, help="calls in flight (closed loop)")
    parser.add_argument("--count", type=int, help="calls in all (closed loop)")
    parser.add_argument("--warm-up", type=float, default=0.0, help="seconds before the first call")
    parser.add_argument("--deadline", type=float, default=1.0, help="seconds per call")
    parser.add_argument("--stubs", help="directory of orders_pb2*.py (default: generated)")
    parser.add_argument("--authority", default="jostle-serve",
                        help="the :authority to send (grpc.default_authority)")
    args = parser.parse_args()
    open_loop = args.rate is not None or args.duration is not None
    closed_loop = args.concurrency is not None or args.count is not None
    if open_loop == closed_loop:
        fail("give --rate and --duration (open loop) or --concurrency and --count (closed loop)")
    if open_loop:
        if args.rate is None or args.duration is None:
            fail("an open loop needs both --rate and --duration")
        if not 0 < args.rate <= 10_000 or not 0 < args.duration <= 3600:
            fail("--rate must be in (0, 10000] calls/s and --duration in (0, 3600] seconds")
        if args.rate * args.duration > MAX_CALLS:
            fail(f"--rate x --duration is more than {MAX_CALLS} calls")
    else:
        if args.concurrency is None or args.count is None:
            fail("a closed loop needs both --concurrency and --count")
        if not 1 <= args.concurrency <= 1000 or not 1 <= args.count <= MAX_CALLS:
            fail(f"--concurrency must be 1 to 1000 and --count 1 to {MAX_CALLS}")
    if not 0 <= args.warm_up <= 3600 or not 0 < args.deadline <= 3600:
        fail("--warm-up must be in [0, 3600] and --deadline in (0, 3600] seconds")
    return args


def stubs(args):
    """orders_pb2 and orders_pb2_grpc, from --stubs or generated into a temporary folder."""
    folder = args.stubs
    if folder is None:
        import grpc_tools
        from grpc_tools import protoc
        folder = tempfile.mkdtemp(prefix="jostle-stubs-")
        proto = os.path.normpath(PROTO_DIR)
        well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        if protoc.main(["protoc", f"-I{proto}", f"-I{well_known}", f"--python_out={folder}",
                        f"--grpc_python_out={folder}", os.path.join(proto, "orders.proto")]) != 0:
            fail(f"grpc_tools.protoc cannot compile {proto}/orders.proto")
    sys.path.insert(0, folder)
    try:
        import orders_pb2
        import orders_pb2_grpc
    except ImportError as error:
        fail(f"no stubs in {folder} ({error}); generate them with grpc_tools.protoc")
    return orders_pb2, orders_pb2_grpc


def ready_line(source):
    """serve's ready line: from stdin, or the first line of a file once it is written."""
    if source == "-":
        print(json.dumps({"waiting": True}), flush=True)
        line = sys.stdin.readline()
    else:
        line = ""
        give_up = time.monotonic() + 60
        while not line.endswith("\n"):
            if time.monotonic() > give_up:
                fail(f"--ready {source}: no line from jostle serve within 60 s")
            try:
                with open(source, encoding="utf-8") as ready:
                    line = ready.readline()
            except FileNotFoundError:
                pass
            if not line.endswith("\n"):
                time.sleep(0.02)
    try:
        ready = json.loads(line)
        addresses = [backend["address"] for backend in ready["backends"]]
        origin = float(ready["origin_unix_ms"])
    except (ValueError, KeyError, TypeError) as error:
        fail(f"expected jostle serve's ready line, got {line.strip()[:200]!r} ({error})")
    for address in addresses:
        host, _, port = address.rpartition(":")
        if host != "127.0.0.1" or not port.isdigit():
            fail(f"{address!r} is not 127.0.0.1:PORT; this client calls loopback only")
    return "ipv4:" + ",".join(addresses), origin


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


class Recorder:
    """Every call's record, by call number, and the counts printed at the end."""

    def __init__(self, calls, origin, deadline):
        self.records = [None] * calls
        self.origin = origin
        self.deadline_ms = deadline * 1000.0
        self.lock = threading.Lock()
        self.served, self.failed, self.mismatched = {}, {}, 0
        self.done = threading.Semaphore(0)

    def now_ms(self):
        return max(0.0, time.time() * 1000.0 - self.origin)

    def start(self, stub, orders_pb2, n, deadline, on_end=None):
        start = self.now_ms()
        future = stub.CreateOrder.future(request(orders_pb2, n), timeout=deadline)
        future.add_done_callback(lambda call: self.end(call, n, start, on_end))

    def end(self, call, n, start, on_end):
        end = max(start, self.now_ms())
        code = call.code()
        header = None
        for metadata in (call.initial_metadata(), call.trailing_metadata()):
            for key, value in metadata or ():
                if key == BACKEND_HEADER and header is None:
                    header = value
        with self.lock:
            if code == grpc.StatusCode.OK:
                name = call.result().served_by
                self.served[name] = self.served.get(name, 0) + 1
                if header != name:
                    self.mismatched += 1
            else:
                self.failed[code.name] = self.failed.get(code.name, 0) + 1
            self.records[n] = {"client": 0, "method": "CreateOrder", "start_ms": start,
                               "end_ms": end, "status": code.name, "backend": header,
                               "deadline_ms": self.deadline_ms}
        if on_end is not None:
            on_end()
        self.done.release()

    def write(self, path):
        """The records, in call order, written beside `path` and renamed over it."""
        folder = os.path.dirname(os.path.abspath(path))
        fd, partial = tempfile.mkstemp(prefix=".calls-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for record in self.records:
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
        os.replace(partial, path)


def open_loop(stub, orders_pb2, args, recorder):
    late = 0
    calls = len(recorder.records)
    first = recorder.origin / 1000.0 + args.warm_up
    for n in range(calls):
        wait = first + n / args.rate - time.time()
        if wait > 0:
            time.sleep(wait)
        elif wait < -0.05:
            late += 1
        recorder.start(stub, orders_pb2, n, args.deadline)
    return late


def closed_loop(stub, orders_pb2, args, recorder):
    calls = len(recorder.records)
    wait = recorder.origin / 1000.0 + args.warm_up - time.time()
    if wait > 0:
        time.sleep(wait)
    slots = threading.Semaphore(args.concurrency)
    for n in range(calls):
        slots.acquire()
        recorder.start(stub, orders_pb2, n, args.deadline, on_end=slots.release)
    return 0


def main():
    args = parse_args()
    orders_pb2, orders_pb2_grpc = stubs(args)
    target, origin = ready_line(args.ready)
    calls = round(args.rate * args.duration) if args.rate is not None else args.count
    recorder = Recorder(calls, origin, args.deadline)
    options = [
        ("grpc.lb_policy_name", args.policy),
        ("grpc.default_authority", args.authority),
    ]
    with grpc.insecure_channel(target, options=options) as channel:
        stub = orders_pb2_grpc.OrderServiceStub(channel)
        play = open_loop if args.rate is not None else closed_loop
        late = play(stub, orders_pb2, args, recorder)
        for _ in range(calls):
            recorder.done.acquire()
    recorder.write(args.calls)
    counts = {"calls": calls, "served": recorder.served, "failed": recorder.failed,
              "mismatched": recorder.mismatched, "late": late}
    print(json.dumps(counts, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
