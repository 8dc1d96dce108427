// Command churn traces goroutine churn: waves of short-lived goroutines,
// goroutines that spawn goroutines, Gosched, Goexit, and a few goroutines
// that block with deep (truncated) stacks.
//
// usage: churn OUTPUT.trace
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
)

var sink [64]int

// spin does a little CPU work so goroutines are not all trivially short.
func spin(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i ^ (s >> 3)
	}
	return s
}

// tree spawns a binary tree of goroutines of the given depth.
func tree(depth int, wg *sync.WaitGroup) {
	defer wg.Done()
	sink[depth%len(sink)] += spin(50)
	if depth == 0 {
		return
	}
	wg.Add(2)
	go tree(depth-1, wg)
	go tree(depth-1, wg)
}

// deep recurses n frames and then parks on ch, so the goroutine's stack in
// the trace is n frames deep (the runtime truncates long stacks).
func deep(n int, ch chan int) int {
	if n == 0 {
		return <-ch
	}
	return deep(n-1, ch) + 1
}

func run() {
	var wg sync.WaitGroup

	// Waves of independent short goroutines.
	for wave := 0; wave < 8; wave++ {
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				switch {
				case i%7 == 3:
					runtime.Gosched()
				case i%11 == 5:
					runtime.Goexit() // deferred wg.Done still runs
				}
				sink[i%len(sink)] += spin(100 + 20*i)
			}(i)
		}
		wg.Wait()
	}

	// A goroutine tree: goroutines creating goroutines.
	wg.Add(1)
	go tree(6, &wg)
	wg.Wait()

	// Goroutines parked with deep stacks, then released.
	ch := make(chan int)
	for _, n := range []int{10, 60, 200} {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			sink[n%len(sink)] += deep(n, ch)
		}(n)
	}
	runtime.Gosched()
	for i := 0; i < 3; i++ {
		ch <- i
	}
	wg.Wait()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: churn OUTPUT.trace")
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
	run()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
