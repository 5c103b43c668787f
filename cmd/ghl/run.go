package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"ghlsim/experiments"
	"ghlsim/internal/progress"
)

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("ghl run", flag.ContinueOnError)
	budget := fs.String("budget", "cpu", "smoke (seconds), cpu (about an hour per table here) or full (the paper's protocol)")
	seeds := fs.Int("seeds", 3, "seeds per cell (mean ± std over them)")
	out := fs.String("out", "", "run directory (default runs/EXPERIMENT-BUDGET); rerunning resumes unfinished cells")
	data := fs.String("data", "", "dataset location for every cell (default: the CIFAR-10 copy in ../shared/datasets)")
	backend := fs.String("backend", "", "compute backend for every cell (default cpu)")
	threads := fs.Int("threads", 0, "backend threads (0 = all cores)")
	noReport := fs.Bool("no-report", false, "do not write report.html / report.md")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ghl run EXPERIMENT [flags]\n\nexperiments: %s\n\n", strings.Join(experiments.SpecNames(), ", "))
		fs.PrintDefaults()
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.SetOutput(os.Stdout)
			fs.Usage()
			return flag.ErrHelp
		}
		fs.Usage()
		return errUsage
	}
	name := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *out == "" {
		*out = filepath.Join("runs", name+"-"+*budget)
	}
	stop := make(chan struct{})
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(os.Stderr, "\nghl: interrupt: finishing the current step and writing a checkpoint (interrupt again to abort)")
		close(stop)
		<-sig
		os.Exit(130)
	}()
	defer signal.Stop(sig)
	opt := experiments.RunOptions{Spec: name, Budget: *budget, Seeds: *seeds, Out: *out, Data: *data, Backend: *backend, Threads: *threads,
		Log: os.Stdout, Progress: progress.Interactive(os.Stderr), Stop: stop}
	if !*noReport {
		opt.AfterCell = writeReport
	}
	t, err := experiments.RunExperiment(opt)
	if errors.Is(err, experiments.ErrInterrupted) {
		return fmt.Errorf("%w: rerun the same command to resume", err)
	}
	if err != nil {
		return err
	}
	fmt.Print("\n" + experiments.TableMarkdown(t, nil))
	fmt.Printf("\nresults: %s (table.md, table.csv, table.json, report.html)\n", *out)
	return nil
}
