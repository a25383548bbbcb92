// Prints Terraform's h1: hash of each package directory given, using the very functions
// Terraform calls (filepath.EvalSymlinks, then dirhash.HashDir with Hash1), one per line.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/dirhash"
)

func main() {
	for _, dir := range os.Args[1:] {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			fmt.Printf("error: %v\n", err)
			continue
		}
		hash, err := dirhash.HashDir(real, "", dirhash.Hash1)
		if err != nil {
			fmt.Printf("error: %v\n", err)
			continue
		}
		fmt.Println(hash)
	}
}
