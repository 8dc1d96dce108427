// Command lockosthread traces goroutines wired to OS threads with
// runtime.LockOSThread: a locked goroutine that blocks and is woken (its
// thread must sleep and be handed back), nested lock/unlock, a goroutine
// that exits while locked (its thread is destroyed), and a locked
// goroutine making syscalls.
//
// usage: lockosthread OUTPUT.trace
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: lockosthread OUTPUT.trace")
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

	var wg sync.WaitGroup

	// A locked server goroutine that repeatedly blocks on a channel.
	req, resp := make(chan int), make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for v := range req {
			resp <- v * 2
		}
	}()
	for i := 0; i < 100; i++ {
		req <- i
		<-resp
	}
	close(req)

	// Nested locking, sleeps and syscalls while locked.
	wg.Add(1)
	go func() {
		defer wg.Done()
		runtime.LockOSThread()
		runtime.LockOSThread()
		for i := 0; i < 10; i++ {
			syscall.Getpid()
			time.Sleep(100 * time.Microsecond)
		}
		runtime.UnlockOSThread()
		runtime.Gosched()
		runtime.UnlockOSThread()
	}()

	// Goroutines that exit while locked: each takes its thread with it.
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			time.Sleep(50 * time.Microsecond)
		}()
	}
	wg.Wait()

	// The main goroutine itself, locked for a while.
	runtime.LockOSThread()
	time.Sleep(200 * time.Microsecond)
	runtime.UnlockOSThread()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
