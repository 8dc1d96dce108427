// Command gomaxprocs traces GOMAXPROCS changes (each a stop-the-world)
// while goroutines keep running: it grows and shrinks the number of Ps so
// Ps are created, stopped and idle across changes.
//
// usage: gomaxprocs OUTPUT.trace
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

var sink atomic.Int64

func busy(d time.Duration) {
	end := time.Now().Add(d)
	s := int64(0)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			s += int64(i) ^ s>>1
		}
	}
	sink.Add(s)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gomaxprocs OUTPUT.trace")
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

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				busy(300 * time.Microsecond)
				time.Sleep(100 * time.Microsecond)
			}
		}()
	}
	for _, n := range []int{1, 4, 3, 1, 6, 2, 8, 1, 2, 5, 1, 3, 2} {
		runtime.GOMAXPROCS(n)
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
