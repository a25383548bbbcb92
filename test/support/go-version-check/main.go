// Answers questions about version constraints with HashiCorp's go-version itself, for the
// differential test of tm-doctor's port (test/analysis/tool-version.test.ts).
// Reads one JSON request on stdin, writes one JSON answer on stdout.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	version "github.com/hashicorp/go-version"
)

type request struct {
	Floor         string      `json:"floor"`
	Grid          []string    `json:"grid"`
	CompareSample []string    `json:"compareSample"`
	Versions      []string    `json:"versions"`
	Cases         []caseInput `json:"cases"`
}

type caseInput struct {
	Constraint string   `json:"constraint"`
	Witnesses  []string `json:"witnesses"`
}

type parsedVersion struct {
	Valid  bool   `json:"valid"`
	String string `json:"string"`
}

type caseAnswer struct {
	Valid bool `json:"valid"`
	// One bit per grid version: does the constraint allow it.
	Allows         []bool `json:"allows"`
	WitnessAllowed []bool `json:"witnessAllowed"`
	// Compare(witness, floor); 2 when the witness does not parse.
	WitnessCompare []int `json:"witnessCompare"`
}

type answer struct {
	GridCompare   []int           `json:"gridCompare"`
	CompareMatrix [][]int         `json:"compareMatrix"`
	Versions      []parsedVersion `json:"versions"`
	Cases         []caseAnswer    `json:"cases"`
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	floor := version.Must(version.NewVersion(req.Floor))
	grid := make([]*version.Version, len(req.Grid))
	var out answer
	for i, text := range req.Grid {
		grid[i] = version.Must(version.NewVersion(text))
		out.GridCompare = append(out.GridCompare, grid[i].Compare(floor))
	}
	sample := make([]*version.Version, len(req.CompareSample))
	for i, text := range req.CompareSample {
		sample[i] = version.Must(version.NewVersion(text))
	}
	for _, a := range sample {
		row := make([]int, len(sample))
		for j, b := range sample {
			row[j] = a.Compare(b)
		}
		out.CompareMatrix = append(out.CompareMatrix, row)
	}
	for _, text := range req.Versions {
		v, err := version.NewVersion(text)
		if err != nil {
			out.Versions = append(out.Versions, parsedVersion{})
		} else {
			out.Versions = append(out.Versions, parsedVersion{Valid: true, String: v.String()})
		}
	}
	for _, c := range req.Cases {
		constraints, err := version.NewConstraint(c.Constraint)
		if err != nil {
			out.Cases = append(out.Cases, caseAnswer{Allows: []bool{}, WitnessAllowed: []bool{}, WitnessCompare: []int{}})
			continue
		}
		result := caseAnswer{Valid: true, Allows: make([]bool, len(grid)), WitnessAllowed: []bool{}, WitnessCompare: []int{}}
		for i, v := range grid {
			result.Allows[i] = constraints.Check(v)
		}
		for _, text := range c.Witnesses {
			w, err := version.NewVersion(text)
			if err != nil {
				result.WitnessAllowed = append(result.WitnessAllowed, false)
				result.WitnessCompare = append(result.WitnessCompare, 2)
				continue
			}
			result.WitnessAllowed = append(result.WitnessAllowed, constraints.Check(w))
			result.WitnessCompare = append(result.WitnessCompare, w.Compare(floor))
		}
		out.Cases = append(out.Cases, result)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
