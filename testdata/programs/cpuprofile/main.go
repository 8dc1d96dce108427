// Command cpuprofile traces with the CPU profiler running at the same
// time (profile written to io.Discard), so the trace carries CPU samples.
// Busy goroutines spin in a few distinct functions so the samples have
// varied stacks; one also makes syscalls.
//
// usage: cpuprofile OUTPUT.trace
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

var sink [4]uint64

//go:noinline
func hashLoop(d time.Duration) uint64 {
	h := uint64(14695981039346656037)
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 5000; i++ {
			h ^= uint64(i)
			h *= 1099511628211
		}
	}
	return h
}

//go:noinline
func floatLoop(d time.Duration) uint64 {
	x := 1.0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 5000; i++ {
			x = x*1.0000001 + 0.5/x
		}
	}
	return uint64(x)
}

//go:noinline
func syscallLoop(d time.Duration) uint64 {
	n := uint64(0)
	for end := time.Now().Add(d); time.Now().Before(end); {
		syscall.Getppid()
		n++
	}
	return n
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cpuprofile OUTPUT.trace")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(2)
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		panic(err)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	// About 100ms of CPU time per goroutine, in 5ms bursts separated by
	// short sleeps.
	const burst = 5 * time.Millisecond
	var wg sync.WaitGroup
	for i, fn := range []func(time.Duration) uint64{hashLoop, floatLoop, syscallLoop} {
		wg.Add(1)
		go func(i int, fn func(time.Duration) uint64) {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				sink[i] += fn(burst)
				time.Sleep(100 * time.Microsecond)
			}
		}(i, fn)
	}
	sink[3] = hashLoop(50 * time.Millisecond)
	wg.Wait()

	trace.Stop()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
