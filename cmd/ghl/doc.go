// Command ghl is ghlsim's command line: train a network, run a named
// experiment, write reports, benchmark, inspect datasets and list what is
// available. It is the only place in ghlsim that exits the process.
package main
