package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"ghlsim/datasets"
)

// cmdData loads a dataset (building the decoded cache of an image-folder
// archive on first use) and prints its splits, shape, class counts and
// pixel statistics, so a user can check a dataset before a long run.
func cmdData(args []string) error {
	fs := flag.NewFlagSet("ghl data", flag.ContinueOnError)
	dir := fs.String("data", "", "dataset location (default: the dataset's default)")
	maxPixels := fs.Int64("max-image-pixels", 0, "largest image (width × height) an image folder may hold, checked before decoding (0 = 4096×4096)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ghl data NAME [--data DIR]\n\nNAME: %s\n", strings.Join(datasets.Names, ", "))
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
	name := rest[0]
	start := time.Now()
	train, test, err := datasets.LoadWith(name, *dir, datasets.LoadOptions{MaxImagePixels: *maxPixels})
	if err != nil {
		return err
	}
	fmt.Printf("%s: loaded in %.1f s\n", name, time.Since(start).Seconds())
	for _, s := range []struct {
		split string
		set   *datasets.Set
	}{{"train", train}, {"test", test}} {
		mean, std := datasets.NormStats(s.set)
		fmt.Printf("  %-5s %6d images %d×%d×%d, %d classes, mean %v, std %v\n", s.split, s.set.Len(), s.set.C, s.set.H, s.set.W, s.set.Classes, fmtFloats(mean), fmtFloats(std))
		counts := s.set.ClassCounts()
		var parts []string
		for k, n := range counts {
			parts = append(parts, fmt.Sprintf("%s %d", s.set.ClassNames[k], n))
		}
		fmt.Printf("        %s\n", strings.Join(parts, ", "))
	}
	return nil
}

func fmtFloats(v []float32) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%.4f", x)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
