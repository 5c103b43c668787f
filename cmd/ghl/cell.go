package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"ghlsim/experiments"
	"ghlsim/internal/progress"
	"ghlsim/internal/quote"
)

// cmdCell runs one cell × seed of an existing experiment run directory: what
// `ghl run --executor local` workers and Slurm array tasks execute.
func cmdCell(args []string) error {
	fs := flag.NewFlagSet("ghl cell", flag.ContinueOnError)
	threads := fs.Int("threads", 0, "backend threads for a cell whose spec leaves them open (0 = all cores); a spec's --threads wins")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ghl cell [--threads N] RUN_DIR INDEX\n\n"+
			"Runs task INDEX (cell·seeds + seed−1, in spec.json's order) of the experiment run in RUN_DIR\n"+
			"and writes its result.json; a finished task is left alone, a started one resumes.\n"+
			"ghl run --executor local|slurm starts these; ghl status RUN_DIR lists the indices.\n\n")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		fs.Usage()
		return errUsage
	}
	if err := checkThreads(*threads); err != nil {
		return err
	}
	dir := rest[0]
	index, err := strconv.Atoi(rest[1])
	if err != nil {
		return fmt.Errorf("INDEX %s is not a number: pass the task's index as ghl status %s lists it", quote.Q(rest[1]), quote.S(dir))
	}
	stop := make(chan struct{})
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "ghl cell: %v: finishing the current step and writing a checkpoint (signal again to abort)\n", s)
		close(stop)
		<-sig
		os.Exit(130)
	}()
	defer signal.Stop(sig)
	err = experiments.RunCell(dir, index, experiments.CellOptions{Threads: *threads, Log: os.Stdout, Progress: progress.Interactive(os.Stderr), Stop: stop})
	if errors.Is(err, experiments.ErrInterrupted) {
		return fmt.Errorf("%w: rerun to resume", err)
	}
	return err
}
