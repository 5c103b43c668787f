// Package buildinfo finds the git revision of the ghlsim source a binary was
// built from, for run records.
package buildinfo
