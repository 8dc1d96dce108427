// Command cgocallback traces cgo: threads created in C (pthread_create)
// call an exported Go function, so the trace shows goroutines that come
// into existence in a syscall (GoCreateSyscall) and leave in one
// (GoDestroySyscall); the callbacks start goroutines and block on
// channels. It also makes plain Go->C calls that sleep in C, and a C call
// that calls back into Go on the calling goroutine's own thread.
//
// usage: cgocallback OUTPUT.trace   (needs CGO_ENABLED=1)
package main

/*
#include <pthread.h>
#include <unistd.h>

extern void goCallback(int);

static void *cthread(void *arg) {
	int base = (int)(long)arg, i;
	for (i = 0; i < 8; i++) {
		goCallback(base + i);
		usleep(100);
	}
	return NULL;
}

// startThreads runs n C threads that call back into Go and waits for them.
static void startThreads(int n) {
	pthread_t t[16];
	int i;
	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, cthread, (void *)(long)(100 * i));
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

// sleepInC blocks in C for us microseconds.
static void sleepInC(int us) {
	usleep(us);
}

// callBack calls into Go from a thread that Go created.
static void callBack(int v) {
	goCallback(v);
}
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
)

var total atomic.Int64

//export goCallback
func goCallback(v C.int) {
	// Start a goroutine from the callback and wait for it, so the callback
	// goroutine blocks and is woken.
	done := make(chan int)
	go func() {
		s := 0
		for i := 0; i < 1000; i++ {
			s += i
		}
		done <- s + int(v)
	}()
	total.Add(int64(<-done))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cgocallback OUTPUT.trace")
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

	C.startThreads(8)

	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			C.sleepInC(C.int(200 * (i + 1)))
			C.callBack(C.int(i))
		}(i)
	}
	wg.Wait()

	// A second round: the C threads are new, so are their goroutines.
	C.startThreads(4)

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
