// Package progress prints a one-line progress indicator with rate and ETA
// for long work. On a terminal it redraws the line in place a few times a
// second; in CI or when output goes to a file or pipe it stays quiet and the
// caller's per-epoch summary lines are the log.
package progress
