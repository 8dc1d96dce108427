//go:build go1.23

// Command iterpull traces iterators driven by iter.Pull and iter.Pull2.
// Pull runs the iterator as a coroutine, which the trace shows as
// goroutines created blocked (GoCreateBlocked) and direct switches between
// goroutines (GoSwitch, GoSwitchDestroy). It pulls iterators to the end,
// stops one early, never starts one, and pulls in several goroutines at
// once.
//
// usage: iterpull OUTPUT.trace   (Go 1.23 or newer; see stub.go)
package main

import (
	"fmt"
	"iter"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
)

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func pairs(words []string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i, w := range words {
			if !yield(i, w) {
				return
			}
		}
	}
}

// zip merges two sequences by pulling from both.
func zip(a, b iter.Seq[int]) []int {
	nextA, stopA := iter.Pull(a)
	defer stopA()
	nextB, stopB := iter.Pull(b)
	defer stopB()
	var out []int
	for {
		x, okA := nextA()
		y, okB := nextB()
		if !okA || !okB {
			return out
		}
		out = append(out, x+y)
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: iterpull OUTPUT.trace")
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

	// Pulled to exhaustion.
	next, stop := iter.Pull(count(300))
	sum := 0
	for v, ok := next(); ok; v, ok = next() {
		sum += v
	}
	stop()

	// Stopped early.
	next, stop = iter.Pull(count(1000))
	for i := 0; i < 5; i++ {
		next()
	}
	stop()

	// Created and stopped without ever being pulled.
	_, stop = iter.Pull(count(10))
	stop()

	// Pull2.
	next2, stop2 := iter.Pull2(pairs([]string{"a", "b", "c", "d"}))
	for _, _, ok := next2(); ok; _, _, ok = next2() {
	}
	stop2()

	// Range-over-func (no coroutine) for contrast, and zips in parallel.
	for v := range count(5) {
		sum += v
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			sum := 0
			for _, v := range zip(count(40+g), count(50)) {
				sum += v
			}
			_ = sum
		}(g)
	}
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
