//go:build go1.25

// Command flightrecorder keeps a flight recorder (runtime/trace
// FlightRecorder, Go 1.25+) running while the program works, and writes a
// snapshot to the output file in the middle of the run. The snapshot
// holds only the recent generations (MinAge), so the trace begins mid-run: its
// goroutines, Ps, tasks and regions were all already in progress. Along
// the way it takes an earlier snapshot (discarded) and runs an ordinary
// trace.Start session (to io.Discard) alongside the flight recorder.
//
// usage: flightrecorder OUTPUT.trace   (Go 1.25 or newer; see stub.go)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sync"
	"time"
)

var (
	sink    [8]int
	garbage [8][]byte
)

func spin(d time.Duration) int {
	s := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 1000; i++ {
			s += i ^ s>>2
		}
	}
	return s
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: flightrecorder OUTPUT.trace")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(2)
	debug.SetGCPercent(10) // frequent collections, some inside the snapshot
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{
		MinAge:   20 * time.Millisecond,
		MaxBytes: 256 << 10,
	})
	if err := fr.Start(); err != nil {
		panic(err)
	}

	ctx, task := trace.NewTask(context.Background(), "service")
	stop := make(chan struct{})
	gate := make(chan int)
	var wg sync.WaitGroup

	// Workers that live through the whole run.
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				trace.WithRegion(ctx, "tick", func() {
					sink[w] += spin(time.Duration(100*(w+1)) * time.Microsecond)
					garbage[w] = make([]byte, 32<<10)
				})
				if i%4 == 0 {
					trace.Logf(ctx, "worker", "%d at %d", w, i)
				}
				time.Sleep(300 * time.Microsecond)
			}
		}(w)
	}
	// A goroutine blocked the whole time, inside a region.
	wg.Add(1)
	go func() {
		defer wg.Done()
		trace.WithRegion(ctx, "blocked", func() { sink[4] += <-gate })
	}()

	// Phase 1, then a snapshot nobody keeps.
	time.Sleep(10 * time.Millisecond)
	if _, err := fr.WriteTo(io.Discard); err != nil {
		panic(err)
	}

	// Phase 2, with an ordinary trace session running alongside.
	if err := trace.Start(io.Discard); err != nil {
		panic(err)
	}
	time.Sleep(10 * time.Millisecond)
	trace.Stop()

	// Phase 3. The snapshot keeps this generation and, since phase 3 is
	// shorter than MinAge, the one before it (phase 2); phase 1 is dropped.
	time.Sleep(12 * time.Millisecond)
	out, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if _, err := fr.WriteTo(out); err != nil {
		panic(err)
	}
	if err := out.Close(); err != nil {
		panic(err)
	}

	// The run goes on after the snapshot.
	time.Sleep(5 * time.Millisecond)
	gate <- 1
	close(stop)
	wg.Wait()
	task.End()
	fr.Stop()
}
