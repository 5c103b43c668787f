package main

import (
	"errors"

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
