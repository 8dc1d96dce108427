// Command generations runs a mix of activity for about 150ms so that a
// trace taken with a short generation period spans many generations:
// goroutines stay blocked, sleeping, running and in syscalls across
// generation boundaries, and tasks and regions straddle them.
//
// usage: GODEBUG=traceadvanceperiod=20000000 generations OUTPUT.trace
//
// (traceadvanceperiod is in nanoseconds; the default is one second, which
// would give a single generation. regen.sh sets it.)
package main

import (
	"context"
	"fmt"
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
		fmt.Fprintln(os.Stderr, "usage: generations OUTPUT.trace")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(2)
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	ctx, task := trace.NewTask(context.Background(), "whole run")
	stop := make(chan struct{})
	var mu sync.Mutex
	var wg sync.WaitGroup

	// Blocked on a channel for the whole run.
	gate := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		trace.WithRegion(ctx, "waiting", func() { <-gate })
	}()

	// Periodic sleeper with a little work.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(3 * time.Millisecond):
				sink[0] += spin(100 * time.Microsecond)
			}
		}
	}()

	// A goroutine that holds a mutex for a while, and one waiting for it.
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 8; i++ {
			mu.Lock()
			time.Sleep(4 * time.Millisecond)
			mu.Unlock()
			runtime.Gosched()
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 8; i++ {
			mu.Lock()
			sink[1]++
			mu.Unlock()
			time.Sleep(2 * time.Millisecond)
		}
	}()

	// Long blocking syscalls.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 6; i++ {
			syscall.Select(0, nil, nil, nil, &syscall.Timeval{Usec: 15000})
		}
	}()

	// CPU-bound bursts with a region per burst.
	for i := 0; i < 10; i++ {
		trace.WithRegion(ctx, "burst", func() {
			sink[2] += spin(3 * time.Millisecond)
		})
		time.Sleep(10 * time.Millisecond)
	}
	close(gate)
	close(stop)
	wg.Wait()
	task.End()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
