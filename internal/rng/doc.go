// Package rng derives named, independent random streams from a run seed, so
// every random draw in ghlsim (weight init, data order, augmentation,
// dropout, random modulators) is reproducible and adding a new stream never
// shifts an existing one.
package rng
