// Command syncprims traces contention on sync primitives: a Mutex guarding
// a shared counter, an RWMutex with readers and writers, WaitGroups, a
// Cond-based bounded queue with Signal and Broadcast, and sync.Once.
//
// usage: syncprims OUTPUT.trace
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

func spin(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i ^ (s >> 2)
	}
	return s
}

func mutexes() int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 80; i++ {
				mu.Lock()
				counter += spin(2000) & 1
				if i%5 == g%5 {
					// Sleep with the lock held: others must block.
					time.Sleep(20 * time.Microsecond)
				}
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	return counter
}

func rwmutexes() {
	var rw sync.RWMutex
	table := map[int]int{}
	var wg sync.WaitGroup
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				rw.RLock()
				_ = table[i+r]
				spin(800)
				rw.RUnlock()
			}
		}(r)
	}
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 12; i++ {
				rw.Lock()
				table[i*w] = i
				spin(1500)
				rw.Unlock()
				runtime.Gosched()
			}
		}(w)
	}
	wg.Wait()
}

// queue is a bounded queue built on a Cond.
type queue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
	limit int
	done  bool
}

func conds() int {
	q := &queue{limit: 2}
	q.cond = sync.NewCond(&q.mu)
	var wg sync.WaitGroup
	total := 0
	var totalMu sync.Mutex
	for c := 0; c < 3; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				q.mu.Lock()
				for len(q.items) == 0 && !q.done {
					q.cond.Wait()
				}
				if len(q.items) == 0 && q.done {
					q.mu.Unlock()
					return
				}
				v := q.items[0]
				q.items = q.items[1:]
				q.cond.Signal()
				q.mu.Unlock()
				totalMu.Lock()
				total += v
				totalMu.Unlock()
			}
		}()
	}
	for i := 0; i < 200; i++ {
		q.mu.Lock()
		for len(q.items) >= q.limit {
			q.cond.Wait()
		}
		q.items = append(q.items, i)
		q.cond.Signal()
		q.mu.Unlock()
	}
	q.mu.Lock()
	q.done = true
	q.cond.Broadcast()
	q.mu.Unlock()
	wg.Wait()
	return total
}

func onces() {
	var once sync.Once
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			once.Do(func() { time.Sleep(100 * time.Microsecond) })
		}()
	}
	wg.Wait()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: syncprims OUTPUT.trace")
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
	_ = mutexes()
	rwmutexes()
	_ = conds()
	onces()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
