// Command channels traces channel traffic: unbuffered ping-pong, a
// buffered pipeline, select with several ready cases, default and timeout
// cases, nil channels, close broadcasts, timers and tickers.
//
// usage: channels OUTPUT.trace
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

func pingPong(rounds int) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	for i := 0; i < rounds; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	<-pong
}

// pipeline: producer -> (buffered) -> 3 workers -> (buffered) -> collector.
func pipeline(n int) int {
	in := make(chan int, 4)
	out := make(chan int, 2)
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range in {
				out <- v * v
			}
		}()
	}
	go func() {
		for i := 0; i < n; i++ {
			in <- i
		}
		close(in)
	}()
	go func() {
		wg.Wait()
		close(out)
	}()
	sum := 0
	for v := range out {
		sum += v
	}
	return sum
}

func selects() int {
	a, b := make(chan int), make(chan int, 1)
	var never chan int // nil: never ready
	quit := make(chan struct{})
	go func() {
		for i := 0; i < 60; i++ {
			if i%2 == 0 {
				a <- i
			} else {
				b <- i
			}
		}
		close(quit)
	}()
	got := 0
	for done := false; !done; {
		select {
		case v := <-a:
			got += v
		case v := <-b:
			got += v
		case <-never:
			panic("nil channel ready")
		case <-quit:
			done = true
		}
	}
	// Non-blocking operations.
	select {
	case v := <-a:
		got += v
	default:
	}
	select {
	case b <- 1:
	default:
	}
	// Timeouts.
	t := time.NewTimer(200 * time.Microsecond)
	select {
	case <-a:
	case <-t.C:
	}
	select {
	case <-a:
	case <-time.After(100 * time.Microsecond):
	}
	return got
}

// broadcast parks several goroutines on one channel and wakes them all by
// closing it.
func broadcast(n int) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
		}()
	}
	runtime.Gosched()
	time.Sleep(50 * time.Microsecond)
	close(start)
	wg.Wait()
}

func ticks(n int) {
	tk := time.NewTicker(100 * time.Microsecond)
	defer tk.Stop()
	for i := 0; i < n; i++ {
		<-tk.C
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: channels OUTPUT.trace")
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
	pingPong(150)
	_ = pipeline(200)
	_ = selects()
	broadcast(16)
	ticks(20)
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
