//go:build !go1.23

// Before Go 1.23 there is no iter package; this stub keeps the program
// building with every toolchain. regen.sh does not record it with Go 1.22.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "iterpull: needs Go 1.23 or newer (iter.Pull)")
	os.Exit(3)
}
