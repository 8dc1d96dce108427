// Command servegen writes an execution trace of a small HTTP service under
// load, for the benchmark's second read comparison: where tracegen's trace
// is mostly goroutines created and handed work, this one is what a network
// server's trace is mostly made of — goroutines blocking on and woken by
// the network poller, entering and leaving syscalls, JSON encoding, a
// mutex, and the GC. Server and clients talk over 127.0.0.1 only.
//
//	servegen OUTPUT DURATION
package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

type record struct {
	ID   int               `json:"id"`
	Name string            `json:"name"`
	Tags map[string]string `json:"tags"`
}

func main() {
	if len(os.Args) != 3 {
		os.Stderr.WriteString("usage: servegen OUTPUT DURATION\n")
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var mu sync.Mutex
	store := map[int]record{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		store[rec.ID%1000] = rec
		rec = store[(rec.ID+1)%1000]
		mu.Unlock()
		json.NewEncoder(w).Encode(rec)
	})}
	go srv.Serve(ln)

	if err := trace.Start(out); err != nil {
		panic(err)
	}
	url := "http://" + ln.Addr().String() + "/"
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := 0; c < 32; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			defer client.CloseIdleConnections()
			for i := 0; time.Now().Before(deadline); i++ {
				body, _ := json.Marshal(record{ID: c*100000 + i, Name: "item",
					Tags: map[string]string{"client": "bench"}})
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}(c)
	}
	wg.Wait()
	trace.Stop()
	if err := out.Close(); err != nil {
		panic(err)
	}
	srv.Close()
}
