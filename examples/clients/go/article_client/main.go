// Command article_client is the seed article's Go program ("gRPC load balancing in Go"): a
// custom dialer that cycles through the backends' addresses with an atomic counter, passed to
// grpc.DialContext with an empty target; made into a reference client for `jostle serve` that
// plays a scenario's load and writes its call records, one JSON object a line
// (docs/calls.schema.json).
//
// Two changes to the article, both said where they are: `grpc.WithDialer` does not compile
// with the article's dialer (it wants func(string, time.Duration)); `grpc.WithContextDialer`
// takes it as written. And -authority: with the article's empty target grpc-go sends an empty
// `:authority`; give one to get answers from HTTP/2 servers that refuse an empty one.
//
// It sends CreateOrder calls (an open loop: -rate calls per second for -duration seconds; or a
// closed loop: -concurrency calls in flight until -count calls), timed from the scenario's
// origin (`origin_unix_ms` of serve's ready line) plus -warm-up. The request is encoded by hand
// (no generated code: protoc is not needed), the answer's `served_by` decoded likewise.
//
// Build it in GOPATH mode against Debian's packages (golang-go, golang-google-grpc-dev), no
// module download:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o article_client ./examples/clients/go/article_client
//	jostle serve --scenario fixtures/battery/restart.toml --calls calls.jsonl > ready.json &
//	./article_client -ready ready.json -authority jostle-serve -rate 200 -duration 5 \
//	    -warm-up 0.1 -deadline 0.5 -calls calls.jsonl
//
// Last, one JSON line of counts on stdout: {"calls": N, "served": {...}, "failed": {...}}.
// Bad input: one line on stderr, exit 2.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// ---- The article's program, as written but for WithContextDialer (see main). ----

// serverIndex tracks the next backend to dial.
var serverIndex uint64

// servers holds the list of gRPC backend addresses: here, those `jostle serve` announced.
var servers []string

// DialBackend selects the next server in the list and opens a TCP connection.
func DialBackend(ctx context.Context, addr string) (net.Conn, error) {
	// Bump the counter atomically to avoid race conditions across concurrent goroutines.
	idx := atomic.AddUint64(&serverIndex, 1) % uint64(len(servers))

	// Use a timeout so a hung server does not block the dialer indefinitely.
	return net.DialTimeout("tcp", servers[idx], 5*time.Second)
}

// ---- The reference client around it. ----

const maxCalls = 100000
const backendHeader = "x-jostle-backend"
const method = "/orders.v1.OrderService/CreateOrder"

// codeNames are gRPC's status code names in capitals, by number (docs/calls.schema.json).
var codeNames = []string{"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
	"UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "error: "+format+"\n", args...)
	os.Exit(2)
}

// rawCodec passes bytes through: the messages are encoded by hand.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendBytes(b []byte, field int, data []byte) []byte {
	b = appendVarint(b, uint64(field<<3|2))
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

func appendInt(b []byte, field int, v uint64) []byte {
	return appendVarint(appendVarint(b, uint64(field<<3)), v)
}

// request is CreateOrderRequest n, as the Python reference client makes it.
func request(n int) []byte {
	quantity := uint64(1 + n%3)
	price := uint64(250 + (n%11)*10)
	item := appendBytes(nil, 1, []byte(fmt.Sprintf("SKU-%d", n%13)))
	item = appendInt(item, 2, quantity)
	item = appendInt(item, 3, price)
	b := appendBytes(nil, 1, []byte(fmt.Sprintf("customer-%d", n%7)))
	b = appendBytes(b, 2, item)
	b = appendInt(b, 3, price*quantity)
	return appendBytes(b, 4, []byte("EUR"))
}

// servedBy reads field 2 (served_by) of a CreateOrderResponse.
func servedBy(b []byte) string {
	for len(b) > 0 {
		key, n := varint(b)
		if n == 0 {
			return ""
		}
		b = b[n:]
		switch key & 7 {
		case 0:
			_, n = varint(b)
			b = b[n:]
		case 2:
			length, n := varint(b)
			if n == 0 || uint64(len(b)-n) < length {
				return ""
			}
			if key>>3 == 2 {
				return string(b[n : n+int(length)])
			}
			b = b[n+int(length):]
		default:
			return ""
		}
	}
	return ""
}

func varint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

type record struct {
	Client     int     `json:"client"`
	Method     string  `json:"method"`
	StartMs    float64 `json:"start_ms"`
	EndMs      float64 `json:"end_ms"`
	Status     string  `json:"status"`
	Backend    *string `json:"backend"`
	DeadlineMs float64 `json:"deadline_ms"`
}

type ready struct {
	Backends []struct {
		Address string `json:"address"`
	} `json:"backends"`
	OriginUnixMs *float64 `json:"origin_unix_ms"`
}

func readyLine(source string) (ready, error) {
	var line string
	if source == "-" {
		fmt.Println(`{"waiting": true}`)
		text, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil {
			return ready{}, err
		}
		line = text
	} else {
		giveUp := time.Now().Add(60 * time.Second)
		for !strings.HasSuffix(line, "\n") {
			if time.Now().After(giveUp) {
				return ready{}, fmt.Errorf("no line from jostle serve in %s within 60 s", source)
			}
			if data, err := os.ReadFile(source); err == nil {
				if at := strings.IndexByte(string(data), '\n'); at >= 0 {
					line = string(data[:at+1])
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	var r ready
	if err := json.Unmarshal([]byte(line), &r); err != nil || r.OriginUnixMs == nil || len(r.Backends) == 0 {
		return ready{}, fmt.Errorf("expected jostle serve's ready line, got %.200q", strings.TrimSpace(line))
	}
	return r, nil
}

func main() {
	readyFrom := flag.String("ready", "", "serve's stdout (its first line), or - for stdin")
	callsTo := flag.String("calls", "", "where to write the call records")
	rate := flag.Float64("rate", 0, "calls per second (open loop)")
	duration := flag.Float64("duration", 0, "seconds of open-loop load")
	concurrency := flag.Int("concurrency", 0, "calls in flight (closed loop)")
	count := flag.Int("count", 0, "calls in all (closed loop)")
	warmUp := flag.Float64("warm-up", 0, "seconds before the first call")
	deadline := flag.Float64("deadline", 1, "seconds per call")
	authority := flag.String("authority", "", "the :authority to send; empty, as the article's empty target gives")
	flag.Parse()
	if *readyFrom == "" || *callsTo == "" {
		fail("-ready and -calls are required")
	}
	open := *rate > 0 || *duration > 0
	if open == (*concurrency > 0 || *count > 0) {
		fail("give -rate and -duration (open loop) or -concurrency and -count (closed loop)")
	}
	calls := *count
	if open {
		if !(*rate > 0 && *rate <= 10000 && *duration > 0 && *duration <= 3600) {
			fail("-rate must be in (0, 10000] and -duration in (0, 3600] seconds")
		}
		calls = int(*rate**duration + 0.5)
	} else if *concurrency < 1 || *concurrency > 1000 {
		fail("-concurrency must be 1 to 1000")
	}
	if calls < 1 || calls > maxCalls || *warmUp < 0 || *warmUp > 3600 || *deadline <= 0 || *deadline > 3600 {
		fail("1 to %d calls, -warm-up in [0, 3600] and -deadline in (0, 3600] seconds", maxCalls)
	}
	r, err := readyLine(*readyFrom)
	if err != nil {
		fail("%v", err)
	}
	for _, backend := range r.Backends {
		if !strings.HasPrefix(backend.Address, "127.0.0.1:") {
			fail("%q is not 127.0.0.1:PORT; this client calls loopback only", backend.Address)
		}
		servers = append(servers, backend.Address)
	}
	origin := time.Unix(0, int64(*r.OriginUnixMs*1e6))

	options := []grpc.DialOption{
		// The article writes grpc.WithDialer(DialBackend), which does not compile: WithDialer
		// wants func(string, time.Duration) (net.Conn, error). WithContextDialer takes it.
		grpc.WithContextDialer(DialBackend),
		grpc.WithInsecure(), // Skip TLS for local testing.
	}
	if *authority != "" {
		options = append(options, grpc.WithAuthority(*authority))
	}
	conn, err := grpc.DialContext(
		context.Background(),
		"", // Address is ignored because the dialer picks the real target.
		options...,
	)
	if err != nil {
		fail("cannot dial: %v", err)
	}
	defer conn.Close()

	records := make([]record, calls)
	since := func(at time.Time) float64 {
		ms := float64(at.Sub(origin).Nanoseconds()) / 1e6
		if ms < 0 {
			return 0
		}
		return ms
	}
	timeout := time.Duration(*deadline * float64(time.Second))
	call := func(n int) {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, resp := request(n), []byte(nil)
		var header, trailer metadata.MD
		err := conn.Invoke(ctx, method, &req, &resp, grpc.ForceCodec(rawCodec{}),
			grpc.Header(&header), grpc.Trailer(&trailer))
		end := time.Now()
		code := status.Code(err)
		var backend *string
		for _, md := range []metadata.MD{header, trailer} {
			if values := md.Get(backendHeader); len(values) > 0 && backend == nil {
				backend = &values[0]
			}
		}
		name := "UNKNOWN"
		if int(code) < len(codeNames) {
			name = codeNames[code]
		}
		if err == nil && servedBy(resp) == "" {
			name = "INTERNAL"
		}
		records[n] = record{Method: "CreateOrder", StartMs: since(start), EndMs: since(end),
			Status: name, Backend: backend, DeadlineMs: *deadline * 1000}
		if records[n].EndMs < records[n].StartMs {
			records[n].EndMs = records[n].StartMs
		}
	}

	var wg sync.WaitGroup
	first := origin.Add(time.Duration(*warmUp * float64(time.Second)))
	if open {
		for n := 0; n < calls; n++ {
			time.Sleep(time.Until(first.Add(time.Duration(float64(n) / *rate * float64(time.Second)))))
			wg.Add(1)
			go func(n int) { defer wg.Done(); call(n) }(n)
		}
	} else {
		time.Sleep(time.Until(first))
		var next int64 = -1
		for w := 0; w < *concurrency; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := int(atomic.AddInt64(&next, 1)); n < calls; n = int(atomic.AddInt64(&next, 1)) {
					call(n)
				}
			}()
		}
	}
	wg.Wait()

	// The records, in call order, written beside -calls and renamed over it.
	partial, err := os.CreateTemp(filepath.Dir(*callsTo), ".calls-*")
	if err != nil {
		fail("cannot write beside %s: %v", *callsTo, err)
	}
	out := bufio.NewWriter(partial)
	served, failed := map[string]int{}, map[string]int{}
	for _, rec := range records {
		line, _ := json.Marshal(rec)
		out.Write(append(line, '\n'))
		if rec.Status == "OK" && rec.Backend != nil {
			served[*rec.Backend]++
		} else if rec.Status != "OK" {
			failed[rec.Status]++
		}
	}
	if err := out.Flush(); err != nil {
		fail("cannot write %s: %v", partial.Name(), err)
	}
	partial.Close()
	if err := os.Rename(partial.Name(), *callsTo); err != nil {
		fail("cannot write %s: %v", *callsTo, err)
	}
	counts, _ := json.Marshal(map[string]interface{}{"calls": calls, "served": served, "failed": failed})
	fmt.Println(string(counts))
}
