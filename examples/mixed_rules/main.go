// Command mixed_rules asks: what does the global signal buy in the first
// layer? It trains DeepHebb (ALGORITHM.md §5, at a quarter of its width) on
// MNIST twice — every conv group by GHL, then conv1 by the local Hebbian
// term alone (rule hebb: no modulator, no gradient), conv2 and conv3 by GHL,
// the classifier by backprop — and prints each run's test accuracy and how
// far each group's weights moved (‖W − W₀‖ / ‖W₀‖). Run it with
//
//	go run ./examples/mixed_rules                  # 20,000 images, 1 epoch per run
//	GHLSIM_SMOKE=1 go run ./examples/mixed_rules   # 512 images, seconds
package main

import (
	"fmt"
	"math"
	"os"
	"runtime"

	"ghlsim/backends/cpu"
	"ghlsim/datasets"
	"ghlsim/network"
)

func main() {
	trainN, testN := 20000, 10000
	if os.Getenv("GHLSIM_SMOKE") == "1" { // ci: smoke output contains "conv1 hebb, conv2 ghl: test accuracy"
		trainN, testN = 512, 256
	}
	train, test, err := datasets.LoadMNIST("")
	check(err)
	train, test = datasets.Head(train, trainN), datasets.Head(test, testN)
	mean, std, _ := datasets.StandardNorm("mnist", 1)

	// Rules.Groups overrides the rule (and, if wanted, the modulator, LR and
	// weight decay) of single groups, keyed by layer name; groups without an
	// entry take Rules.Hidden (hidden) or bp (readout) as before.
	for _, run := range []struct {
		label string
		rules network.Rules
	}{
		{"all conv groups ghl", network.Rules{Hidden: "ghl"}},
		{"conv1 hebb, conv2 ghl", network.Rules{Hidden: "ghl", Groups: map[string]network.GroupRule{
			"conv1": {Rule: "hebb", LR: new(float32(5e-3))}, // a local rule with its own rate
			"conv2": {Rule: "ghl"},
			"fc":    {Rule: "bp"}, // the readout: bp is its only rule, said here for the reader
		}}},
	} {
		const batch = 32
		n := network.New(cpu.New(runtime.NumCPU()), batch, 1)
		check(network.BuildArch(n, "deephebb", network.ArchOptions{C: 1, H: 28, W: 28, Classes: 10, Width: 0.25}))
		check(n.Build(run.rules))
		before := n.SaveState(network.KindWeight)

		hyper := network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-3}
		l, err := datasets.NewLoader(train, datasets.LoaderConfig{Batch: batch, Shuffle: true, Seed: 1, Mean: mean, Std: std, DropLast: true})
		check(err)
		l.Start(0, 0)
		for bt, ok := l.Next(); ok; bt, ok = l.Next() {
			_, err := n.TrainStep(bt.X, bt.Y, hyper)
			check(err)
		}
		l.Close()

		after := n.SaveState(network.KindWeight)
		fmt.Printf("%-22s test accuracy %.3f; weight change", run.label+":", accuracy(n, test, mean, std))
		for _, g := range n.Groups {
			fmt.Printf("  %s (%s) %.4f", g.Name, g.Rule.Name(), relChange(after[g.Weight.Name].Data, before[g.Weight.Name].Data))
		}
		fmt.Println()
	}
}

// relChange is ‖a − b‖ / ‖b‖.
func relChange(a, b []float32) float64 {
	var d, s float64
	for i := range a {
		d += float64(a[i]-b[i]) * float64(a[i]-b[i])
		s += float64(b[i]) * float64(b[i])
	}
	return math.Sqrt(d / s)
}

// accuracy evaluates n on every image of s (eval mode: BN running
// statistics, no dropout), padding the last batch.
func accuracy(n *network.Network, s *datasets.Set, mean, std []float32) float64 {
	l, err := datasets.NewLoader(s, datasets.LoaderConfig{Batch: n.Batch, Mean: mean, Std: std})
	check(err)
	defer l.Close()
	x, y := make([]float32, n.InPop.Shape.Len()), make([]int32, n.Batch)
	correct := 0
	l.Start(0, 0)
	for bt, ok := l.Next(); ok; bt, ok = l.Next() {
		copy(x, bt.X)
		copy(y, bt.Y)
		_, c := n.Evaluate(x, y, bt.N)
		correct += c
	}
	return float64(correct) / float64(s.Len())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mixed_rules:", err)
		os.Exit(1)
	}
}
