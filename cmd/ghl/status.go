package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"ghlsim/experiments"
)

// cmdStatus prints where every cell of an experiment run stands and
// rewrites its table from the cells that have finished.
func cmdStatus(args []string) error {
	fs := flag.NewFlagSet("ghl status", flag.ContinueOnError)
	brief := fs.Bool("brief", false, "print only the counts, not a line per cell")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ghl status [--brief] RUN_DIR\n\n"+
			"Prints each cell × seed of an experiment run as finished, running, pending or failed (asking\n"+
			"squeue about jobs the Slurm executor submitted) and rewrites table.json/csv/md.\n"+
			"ghl report RUN_DIR reports whatever has finished.\n\n")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	dir := rest[0]
	st, err := experiments.Status(dir, experiments.StatusOptions{})
	if err != nil {
		return err
	}
	sp := st.Spec
	fmt.Printf("%s v%d, budget %s: %d cells × %d seeds in %s\n", sp.Experiment, sp.Version, sp.Budget, len(sp.Cells), sp.Seeds, dir)
	if len(st.Jobs) > 0 {
		fmt.Printf("slurm jobs: %s\n", strings.Join(st.Jobs, ", "))
	}
	if !*brief {
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\nINDEX\tCELL\tSTATE\tDETAIL")
		for _, t := range st.Tasks {
			detail := t.Detail
			if t.Log != "" && (t.State == experiments.CellFailed || t.State == experiments.CellRunning) {
				rel, err := filepath.Rel(dir, t.Log)
				if err != nil {
					rel = t.Log
				}
				detail += " (log: " + rel + ")"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", t.Index, t.Name(), t.State, detail)
		}
		tw.Flush()
		fmt.Println()
	}
	var counts []string
	for _, s := range experiments.CellStates {
		counts = append(counts, fmt.Sprintf("%s %d", s, st.Count(s)))
	}
	fmt.Printf("%s (of %d)\n", strings.Join(counts, ", "), len(st.Tasks))
	if st.Warning != "" {
		fmt.Fprintf(os.Stderr, "ghl status: warning: %s\n", st.Warning)
	}
	if _, err := experiments.WriteTable(dir); err != nil {
		return err
	}
	fmt.Printf("table: %s\n", filepath.Join(dir, "table.md"))
	idle := 0
	for _, t := range st.Tasks {
		if (t.State == experiments.CellFailed || t.State == experiments.CellPending) && !t.Queued {
			idle++
		}
	}
	if idle > 0 && st.Count(experiments.CellRunning) == 0 {
		fmt.Printf("%d unfinished cells are neither running nor queued: rerun the same ghl run command to run them (finished cells are skipped)\n", idle)
	}
	return nil
}
