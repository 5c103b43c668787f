package main

import (
	"errors"
	"fmt"

	"ghlsim/experiments"
)

// exitCode maps an error to the process exit status: 130 for an interrupted
// run (as a shell reports SIGINT), 1 otherwise.
func exitCode(err error) int {
	if errors.Is(err, experiments.ErrInterrupted) {
		return 130
	}
	return 1
}

// checkThreads refuses a --threads value outside 0 … experiments.MaxThreads,
// naming the flag and the range.
func checkThreads(n int) error {
	if err := experiments.CheckThreads(n); err != nil {
		return fmt.Errorf("--threads %w", err)
	}
	return nil
}
