// Command tracegen writes a large execution trace for the benchmark:
// many goroutines on several Ms handing work over channels, blocking,
// allocating and running GCs, for the given duration.
//
//	tracegen OUTPUT DURATION
package main

import (
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

var sink []byte

func main() {
	if len(os.Args) != 3 {
		os.Stderr.WriteString("usage: tracegen OUTPUT DURATION\n")
		os.Exit(2)
	}
	d, err := time.ParseDuration(os.Args[2])
	if err != nil {
		panic(err)
	}
	out, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	runtime.GOMAXPROCS(4)
	if err := trace.Start(out); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			ch := make(chan int)
			var mu sync.Mutex
			for time.Now().Before(deadline) {
				var inner sync.WaitGroup
				for i := 0; i < 32; i++ {
					inner.Add(1)
					go func(i int) {
						defer inner.Done()
						mu.Lock()
						if i%8 == 0 {
							sink = make([]byte, 4096)
						}
						mu.Unlock()
						ch <- i
					}(i)
				}
				for i := 0; i < 32; i++ {
					<-ch
				}
				inner.Wait()
			}
		}(w)
	}
	wg.Wait()
	trace.Stop()
	if err := out.Close(); err != nil {
		panic(err)
	}
}
