package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	_ "ghlsim/backends/cpu"
	_ "ghlsim/backends/torch"
	"ghlsim/internal/quote"
)

var commands = []struct {
	name, summary string
	run           func(args []string) error
	hidden        bool // left out of the usage text (internal)
}{
	{"train", "train one network (default: GHL on MNIST, DeepHebb width 0.25)", cmdTrain, false},
	{"run", "run a named experiment (table1, table4, table5, polarity, …) with --budget smoke|cpu|full", cmdRun, false},
	{"sim", "run a simulation model file in simulated time (the JSON that scripts/brian2 also runs in Brian2)", cmdSim, false},
	{"bench", "time the DeepHebb training step (ghl, bp), side by side with PyTorch when installed", cmdBench, false},
	{"status", "show which cells of an experiment run have finished, run, wait or failed; rewrite its table", cmdStatus, false},
	{"report", "write report.html and report.md for run directories", cmdReport, false},
	{"cell", "run one cell × seed of an experiment run (what --executor local/slurm workers run)", cmdCell, true},
	{"data", "load a dataset and print its splits, class counts and pixel statistics", cmdData, false},
	{"list", "list datasets, architectures, rules, modulator sources and backends", cmdList, false},
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: ghl COMMAND [flags]\n\ncommands:\n")
	for _, c := range commands {
		if c.hidden {
			continue
		}
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(os.Stderr, "\n'ghl COMMAND -h' lists a command's flags.\n")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	name := os.Args[1]
	for _, c := range commands {
		if c.name == name {
			err := c.run(os.Args[2:])
			switch {
			case err == nil:
				return
			case errors.Is(err, flag.ErrHelp):
				return
			case errors.Is(err, errUsage):
				os.Exit(2)
			}
			fmt.Fprintf(os.Stderr, "ghl %s: %v\n", name, err)
			os.Exit(exitCode(err))
		}
	}
	fmt.Fprintf(os.Stderr, "ghl: unknown command %s (known: %s)\n", quote.Q(name), commandNames())
	os.Exit(2)
}

// errUsage marks a flag-parsing error already printed by the flag package.
var errUsage = errors.New("usage error")

func commandNames() string {
	var n []string
	for _, c := range commands {
		n = append(n, c.name)
	}
	return strings.Join(n, ", ")
}
