package main

import (
	"flag"
	"fmt"
	"os"

	"ghlsim/plots"
)

// writeReport writes a run's report, warning (not failing) on error: a
// report must never cost a training run.
func writeReport(dir string) {
	if err := reportDirs([]string{dir}, ""); err != nil {
		fmt.Fprintf(os.Stderr, "ghl: warning: report for %s: %v\n", dir, err)
	}
}

func reportDirs(dirs []string, out string) error {
	return plots.Report(dirs, plots.ReportOptions{Out: out})
}

func cmdReport(args []string) error {
	fs := flag.NewFlagSet("ghl report", flag.ContinueOnError)
	out := fs.String("out", "", "write one combined report for all runs into this directory (default: one report inside each run directory)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ghl report [--out DIR] RUN_DIR...\n\nWrites report.html (self-contained) and report.md with figures/*.svg.\n")
		fs.PrintDefaults()
	}
	dirs, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		fs.Usage()
		return errUsage
	}
	if err := reportDirs(dirs, *out); err != nil {
		return err
	}
	where := *out
	if where == "" {
		where = dirs[0]
	}
	fmt.Printf("report: %s/report.html\n", where)
	return nil
}
