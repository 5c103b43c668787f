package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ghlsim/experiments"
	"ghlsim/internal/progress"
	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
	"ghlsim/internal/runlock"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("ghl run", flag.ContinueOnError)
	budget := fs.String("budget", "cpu", "smoke (seconds), cpu (about an hour per table here) or full (the paper's protocol)")
	seeds := fs.Int("seeds", 3, "seeds per cell (mean ± std over them)")
	out := fs.String("out", "", "run directory (default runs/EXPERIMENT-BUDGET); rerunning resumes unfinished cells")
	data := fs.String("data", "", "dataset location for every cell (default: the CIFAR-10 copy in ../shared/datasets)")
	backend := fs.String("backend", "", "compute backend for every cell (default cpu)")
	threads := fs.Int("threads", 0, "backend threads of every cell, recorded in spec.json (0 = all cores; with --executor local, cores/jobs per worker; with slurm, --slurm-cpus)")
	noReport := fs.Bool("no-report", false, "do not write report.html / report.md")
	executor := fs.String("executor", "inline", "how cells run: inline (one after another in this process), local (parallel worker processes, see --jobs) or slurm (a Slurm job array)")
	jobs := fs.Int("jobs", 0, "local: worker processes at once (0 = one per core); slurm: most array tasks running at once (0 = no cap)")
	wait := fs.Bool("wait", false, "slurm: wait for the job array to end, then write the table and report")
	var sl experiments.SlurmExecutor
	var slurmOpts stringList
	fs.IntVar(&sl.CPUs, "slurm-cpus", 0, "slurm: --cpus-per-task of each cell (0 = --threads, else 1)")
	fs.StringVar(&sl.Mem, "slurm-mem", "", "slurm: --mem of each cell, e.g. 8G (default: the site's)")
	fs.StringVar(&sl.Time, "slurm-time", "", "slurm: --time limit of each cell, e.g. 4:00:00 (default: the site's; a cell past it resumes when resubmitted)")
	fs.StringVar(&sl.Partition, "slurm-partition", "", "slurm: --partition (default: the site's)")
	fs.StringVar(&sl.Gres, "slurm-gres", "", "slurm: --gres, e.g. gpu:1 (with --backend torch:cuda:0)")
	fs.Var(&slurmOpts, "slurm-opt", "slurm: another sbatch option as KEY=VALUE, e.g. account=abc (repeatable)")
	fs.DurationVar(&sl.Poll, "slurm-poll", 10*time.Second, "slurm: how often --wait checks the job array")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ghl run EXPERIMENT [flags]\n\nexperiments: %s\n\n", strings.Join(experiments.SpecNames(), ", "))
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		fs.Usage()
		return errUsage
	}
	name := rest[0]
	if len(rest) > 1 {
		return fmt.Errorf("unexpected arguments %s (one experiment per run)", quote.S(fmt.Sprintf("%q", rest[1:])))
	}
	if err := checkThreads(*threads); err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join("runs", name+"-"+*budget)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var ex experiments.Executor
	switch *executor {
	case "inline":
		if set["jobs"] {
			return errors.New("--jobs needs --executor local (parallel workers here) or slurm")
		}
	case "local":
		ex = experiments.LocalExecutor{Jobs: *jobs}
	case "slurm":
		sl.Options = slurmOpts
		sl.MaxRunning = *jobs
		sl.Wait = *wait
		if sl.CPUs <= 0 {
			sl.CPUs = max(*threads, 1)
		}
		ex = sl
	default:
		return fmt.Errorf("unknown --executor %s: use %s", quote.Q(*executor), strings.Join(experiments.ExecutorNames, ", "))
	}
	if *executor != "slurm" {
		for f := range set {
			if strings.HasPrefix(f, "slurm-") || f == "wait" {
				return fmt.Errorf("--%s applies to --executor slurm only", f)
			}
		}
	}
	msg := "finishing the current step and writing a checkpoint (interrupt again to abort)"
	switch *executor {
	case "slurm":
		msg = "no longer waiting (the Slurm job keeps running)"
	case "local":
		msg = "stopping the workers after their current step and checkpoint (interrupt again to abort)"
	}
	stop, release := onInterrupt(msg)
	defer release()
	opt := experiments.RunOptions{Spec: name, Budget: *budget, Seeds: *seeds, Out: *out, Data: *data, Backend: *backend, Threads: *threads,
		Log: os.Stdout, Progress: progress.Interactive(os.Stderr), Stop: stop, Executor: ex}
	if !*noReport {
		opt.AfterCell = writeReport
	}
	// One process per experiment directory (cells lock their own); the
	// lock lasts until this process exits (internal/runlock).
	_, statErr := os.Stat(*out)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output directory %s: %w (choose a writable --out)", *out, err)
	}
	if err := runlock.Hold(*out); err != nil {
		return err
	}
	t, err := experiments.RunExperiment(opt)
	if err != nil && os.IsNotExist(statErr) {
		runlock.Drop(*out)
		os.Remove(*out) // only if nothing was written: a bad argument leaves no directory
	}
	if errors.Is(err, experiments.ErrInterrupted) {
		return fmt.Errorf("%w: rerun the same command to resume", err)
	}
	if err != nil {
		return err
	}
	if *executor == "slurm" && !*wait && !complete(t, *seeds) {
		fmt.Printf("\nstatus: ghl status %s    report: ghl report %s\n", *out, *out)
		return nil
	}
	if !*noReport && *executor == "slurm" {
		writeReport(*out) // the cells finished elsewhere; report them once more at the end
	}
	fmt.Print("\n" + experiments.TableMarkdown(t, nil))
	fmt.Printf("\nresults: %s (table.md, table.csv, table.json, report.html)\n", *out)
	return nil
}

// complete reports whether every cell of t has all its seeds.
func complete(t *runfiles.Table, seeds int) bool {
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			if c.N < seeds {
				return false
			}
		}
	}
	return true
}
