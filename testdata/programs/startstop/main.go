// Command startstop starts and stops tracing several times in one process.
// The first sessions go to io.Discard; only the last one is recorded.
// Goroutines created before and during the earlier sessions are still
// alive (running, runnable, blocked, sleeping, in a syscall) when the
// recorded session starts, and a task and region begun in an earlier
// session end in the recorded one.
//
// usage: startstop OUTPUT.trace
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

var sink [8]int

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
		fmt.Fprintln(os.Stderr, "usage: startstop OUTPUT.trace")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(2)
	stop := make(chan struct{})
	gate := make(chan int)
	var wg sync.WaitGroup

	// Alive before any tracing: a ticker loop and a goroutine blocked on gate.
	wg.Add(2)
	go func() {
		defer wg.Done()
		t := time.NewTicker(300 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				sink[0] += spin(50 * time.Microsecond)
			case <-stop:
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		sink[1] += <-gate
	}()

	var task *trace.Task
	var region *trace.Region
	for session := 0; session < 3; session++ {
		if err := trace.Start(io.Discard); err != nil {
			panic(err)
		}
		// Each earlier session leaves one more goroutine behind.
		wg.Add(1)
		go func(session int) {
			defer wg.Done()
			switch session {
			case 0: // CPU-bound until stopped
				for {
					select {
					case <-stop:
						return
					default:
						sink[2] += spin(200 * time.Microsecond)
						runtime.Gosched()
					}
				}
			case 1: // sleeping in a blocking syscall, repeatedly
				for {
					select {
					case <-stop:
						return
					default:
						syscall.Select(0, nil, nil, nil, &syscall.Timeval{Usec: 500})
					}
				}
			default: // blocked on a channel
				sink[3] += <-gate
			}
		}(session)
		if session == 2 {
			var ctx context.Context
			ctx, task = trace.NewTask(context.Background(), "spans sessions")
			region = trace.StartRegion(ctx, "spans sessions")
		}
		time.Sleep(2 * time.Millisecond)
		trace.Stop()
	}

	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	time.Sleep(15 * time.Millisecond)
	gate <- 1
	gate <- 2
	region.End()
	task.End()
	close(stop)
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
