//go:build !go1.25

// Before Go 1.25 there is no trace.FlightRecorder; this stub keeps the
// program building with every toolchain. regen.sh records it only with
// Go 1.26 and newer.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "flightrecorder: needs Go 1.25 or newer (trace.FlightRecorder)")
	os.Exit(3)
}
