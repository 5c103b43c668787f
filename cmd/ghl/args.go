package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"strings"

	"ghlsim/internal/quote"
)

// boolFlag is what package flag's boolean flags implement.
type boolFlag interface{ IsBoolFlag() bool }

// splitArgs separates flags (with their values) from positional arguments
// anywhere on the command line, as GNU tools do: `ghl report runs/a runs/b
// --out runs/compare` and `ghl report --out runs/compare runs/a runs/b` are
// the same. A flag takes the next argument as its value unless it is
// boolean or written --name=value; "--" ends the flags (everything after it
// is positional). Unknown flags stay with the flags, for fs.Parse to report.
func splitArgs(fs *flag.FlagSet, args []string) (flags, positional []string, help bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flags, append(positional, args[i+1:]...), help
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" {
			help = true
		}
		f := fs.Lookup(name)
		if f == nil || hasValue {
			continue
		}
		if b, ok := f.Value.(boolFlag); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, positional, help
}

// parseArgs parses fs from args with flags allowed anywhere (splitArgs) and
// returns the positional arguments. Help (-h) goes to stdout and returns
// flag.ErrHelp; a bad flag prints its error — with an echoed value cut to
// 200 bytes — and the usage to stderr, and returns errUsage.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	flags, positional, help := splitArgs(fs, args)
	var out io.Writer = os.Stderr
	if help {
		out = os.Stdout
	}
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(append(flags, "--"))
	fs.SetOutput(out)
	if err != nil {
		msg := buf.String()
		if !errors.Is(err, flag.ErrHelp) {
			msg = strings.Replace(msg, err.Error(), quote.S(err.Error()), 1)
		}
		io.WriteString(out, msg)
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage
	}
	return positional, nil
}
