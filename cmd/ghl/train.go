package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"ghlsim/experiments"
	"ghlsim/internal/progress"
	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
	"ghlsim/synapse"
)

// trainFlags binds every TrainConfig field to a flag; only flags given on
// the command line override the config file or defaults.
func trainFlags(fs *flag.FlagSet, c *experiments.TrainConfig) {
	fs.StringVar(&c.Dataset, "dataset", c.Dataset, "dataset: mnist, fashion-mnist, cifar10, cifar100, imagefolder, synthetic")
	fs.StringVar(&c.Data, "data", c.Data, "dataset location (directory, or .tar.gz for imagefolder); empty = the dataset's default")
	fs.StringVar(&c.Arch, "arch", c.Arch, "architecture (see 'ghl list')")
	fs.Float64Var(&c.Width, "width", c.Width, "channel width multiplier (1 = the paper)")
	fs.StringVar(&c.Rule, "rule", c.Rule, "hidden-layer plasticity rule: "+strings.Join(synapse.RuleNames(), ", "))
	fs.StringVar(&c.Modulator, "modulator", c.Modulator, "third-factor source, e.g. grad-sign (the paper)")
	fs.Float64Var(&c.StepMS, "step-ms", c.StepMS, "simulated ms one training step stands for, so --modulator may give delays in ms (delay:200ms)")
	fs.Float64Var(&c.TraceDecay, "trace-decay", c.TraceDecay, "eligibility-trace decay γ in [0,1) (0 = the paper)")
	fs.Var(optFloat{&c.Dropout}, "dropout", "dropout rate before the classifier in [0,1) (default: the architecture's, 0.5)")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "supervised epochs")
	fs.IntVar(&c.Batch, "batch", c.Batch, "batch size")
	fs.Var(optFloat{&c.HiddenLR}, "hidden-lr", "hidden-layer learning rate (default: the rule's, below; 0 freezes them)")
	fs.Var(optFloat{&c.HiddenWD}, "hidden-wd", "hidden-layer weight decay (default: the rule's, below)")
	fs.Var(optFloat{&c.ReadoutLR}, "readout-lr", "classifier learning rate (default: the rule's, below)")
	fs.Float64Var(&c.ReadoutWD, "readout-wd", c.ReadoutWD, "classifier weight decay")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "optimizer for gradient-trained tensors: sgd or adam (empty = the rule's default)")
	fs.Var(optFloat{&c.Momentum}, "momentum", "SGD momentum (default: the rule's, below; 0 = plain SGD)")
	fs.StringVar(&c.Schedule, "schedule", c.Schedule, "learning-rate schedule: cosine, constant, steps")
	fs.Float64Var(&c.ValFraction, "val-fraction", c.ValFraction, "fraction of the training set held out for validation")
	fs.IntVar(&c.TrainLimit, "train-limit", c.TrainLimit, "use at most this many training samples (0 = all)")
	fs.IntVar(&c.TestLimit, "test-limit", c.TestLimit, "use at most this many test samples (0 = all)")
	fs.BoolVar(&c.Augment, "augment", c.Augment, "random crop (pad 4) and horizontal flip")
	fs.Int64Var(&c.MaxImagePixels, "max-image-pixels", c.MaxImagePixels, "largest image (width × height) an image folder may hold, checked before decoding (0 = 4096×4096)")
	fs.BoolVar(&c.DropLast, "drop-last", c.DropLast, "drop the last partial batch of every epoch (default keeps it, as the official GHL code does)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "run seed")
	fs.StringVar(&c.Backend, "backend", c.Backend, "compute backend: cpu, torch, torch:cpu, torch:cuda:0")
	fs.IntVar(&c.Threads, "threads", c.Threads, "backend threads (0 = all cores)")
	fs.IntVar(&c.CheckpointEvery, "checkpoint-every", c.CheckpointEvery, "also checkpoint every N steps (0 = at epoch ends)")
	fs.IntVar(&c.TelemetryStride, "telemetry-stride", c.TelemetryStride, "record polarity telemetry every N steps (0 = off)")
}

// trainUsage is ghl train -h: every flag with its default, then the
// defaults of the rule-dependent flags for each rule.
func trainUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintf(w, "usage: ghl train [flags]\n\nTrains one network into a run directory. Flags override --config; a flag not given takes\nthe default shown, or for the rule-dependent ones the rule's default below. 0 is a value for every\nnumeric flag (--momentum 0 is plain SGD even for --rule bp).\n\nflags:\n")
	printFlags(fs)
	fmt.Fprintf(w, "\nrule defaults (of flags and config fields not given):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  rule\thidden-lr\thidden-wd\treadout-lr\tmomentum\toptimizer\tschedule\tunsupervised phase (hebbian_epochs, _batch, _lrs)")
	num := func(p *float64) string { return strconv.FormatFloat(*p, 'g', -1, 64) }
	for _, r := range synapse.RuleNames() {
		c := experiments.TrainConfig{Rule: r}
		c.RuleDefaults()
		hebb := "-"
		if experiments.Unsupervised(r) {
			hebb = fmt.Sprintf("%d, %d, %v", c.HebbianEpochs, c.HebbianBatch, c.HebbianLRs)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r, num(c.HiddenLR), num(c.HiddenWD), num(c.ReadoutLR), num(c.Momentum), c.Optimizer, c.Schedule, hebb)
	}
	tw.Flush()
}

// printFlags is fs.PrintDefaults that shows every default, zeros included
// (the flags without one are strings that default to empty, and the
// rule-dependent ones, whose usage says so).
func printFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		if _, ok := f.Value.(optFloat); ok {
			typ = "float"
		}
		line := "  --" + f.Name
		if typ != "" {
			line += " " + typ
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if f.DefValue != "" && !strings.Contains(usage, "(default") {
			if g, ok := f.Value.(flag.Getter); ok && isString(g.Get()) {
				line += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				line += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		fmt.Fprintln(fs.Output(), line)
	})
}

func isString(v any) bool { _, ok := v.(string); return ok }

func cmdTrain(args []string) error {
	fs := flag.NewFlagSet("ghl train", flag.ContinueOnError)
	fs.Usage = func() { trainUsage(fs) }
	cfg := experiments.Defaults()
	// The flags are bound to a copy of the defaults, which -h shows; only
	// the flags given are copied into cfg (overrideSet).
	file := experiments.Defaults()
	configPath := fs.String("config", "", "JSON config file (fields as in config.json's \"config\"); flags override it")
	out := fs.String("out", "", "run directory (default runs/DATASET-ARCH-RULE-TIME)")
	resume := fs.String("resume", "", "continue the run in this directory from its checkpoint")
	initW := fs.String("init", "", "initialise weights from a safetensors file")
	noReport := fs.Bool("no-report", false, "do not write report.html / report.md")
	trainFlags(fs, &file)
	dist := addDistFlags(fs) // data parallelism (train_dist.go)
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %s (flags come as --name value)", quote.S(fmt.Sprintf("%q", rest)))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if err := checkThreads(file.Threads); err != nil {
		return err
	}
	if *resume != "" {
		info, err := runfiles.ReadJSON[runfiles.RunInfo](filepath.Join(*resume, runfiles.ConfigFile))
		if err != nil {
			return fmt.Errorf("--resume %s: %w", *resume, err)
		}
		if cfg, err = experiments.ParseRunConfig(info.Config); err != nil {
			return fmt.Errorf("--resume %s: %w", *resume, err)
		}
		*noReport = *noReport || info.NoReport // the run was started with --no-report
		for name := range set {
			if name != "resume" && name != "no-report" && !isDistFlag(name) {
				return fmt.Errorf("--resume continues the saved config; --%s cannot change it", name)
			}
		}
		*out = *resume
	} else {
		if *configPath != "" {
			var err error
			if cfg, err = experiments.LoadConfig(*configPath, cfg); err != nil {
				return err
			}
		}
		overrideSet(fs, set, &cfg, &file)
	}
	if *out == "" {
		*out = filepath.Join("runs", fmt.Sprintf("%s-%s-%s-%s", cfg.Dataset, cfg.Arch, cfg.Rule, time.Now().Format("20060102-150405")))
	}
	if launched, err := dist.launch(args, set, *out, *resume != ""); launched { // --nproc N: start and wait for N workers (train_dist.go)
		return err
	}
	stop, release := onInterrupt("finishing the current step and writing a checkpoint (interrupt again to abort)")
	defer release()
	opt := experiments.Options{
		Out: *out, Resume: *resume != "", Init: *initW, Command: "ghl train " + strings.Join(args, " "),
		Log: os.Stdout, Progress: progress.Interactive(os.Stderr), Stop: stop, NoReport: *noReport,
	}
	if !*noReport {
		opt.AfterEpoch = writeReport
	}
	worker, err := dist.join(&cfg, &opt, *resume) // a data-parallel worker, or nil (train_dist.go)
	if err != nil {
		return err
	}
	defer worker.close()
	fmt.Printf("ghl train: %s on %s (%s, width %g), %d epochs, batch %d, seed %d, backend %s → %s\n",
		quote.S(cfg.Rule), quote.S(cfg.Dataset), quote.S(cfg.Arch), cfg.Width, cfg.Epochs, cfg.Batch, cfg.Seed, quote.S(cfg.Backend), quote.S(*out)) // not validated yet: cut
	res, err := experiments.Train(cfg, opt)
	if errors.Is(err, experiments.ErrInterrupted) {
		return fmt.Errorf("%w: continue with: ghl train --resume %s", err, *out)
	}
	if err != nil {
		return err
	}
	if !*noReport {
		writeReport(*out) // again, now that the final weights exist
	}
	fmt.Printf("test accuracy %.2f%% (final epoch)", 100*res.TestAcc)
	if res.BestValEpoch > 0 {
		fmt.Printf(", %.2f%% at the best-validation epoch %d", 100*res.TestAtBestVal, res.BestValEpoch)
	}
	fmt.Printf("\nresults: %s\n", *out)
	worker.report(*out)
	return nil
}

// optFloat is a flag bound to an optional float64 config field: unset (nil)
// until the flag is given, so a given 0 differs from "the default".
type optFloat struct{ p **float64 }

func (o optFloat) String() string {
	if o.p == nil || *o.p == nil {
		return ""
	}
	return strconv.FormatFloat(**o.p, 'g', -1, 64)
}

func (o optFloat) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	*o.p = &v
	return nil
}

// overrideSet copies the flags the user gave from file into cfg.
func overrideSet(fs *flag.FlagSet, set map[string]bool, cfg, from *experiments.TrainConfig) {
	tmp := flag.NewFlagSet("", flag.ContinueOnError)
	trainFlags(tmp, cfg)
	fs.Visit(func(f *flag.Flag) {
		if t := tmp.Lookup(f.Name); t != nil {
			t.Value.Set(f.Value.String())
		}
	})
}
