// Command polarity_sweep asks how much GHL needs the right polarity of its
// third factor: it flips the sign of M with probability p ∈ {0, 0.2, 0.5},
// for the paper's M = sign(∂L/∂W) and for a source this script defines, a
// "surprise" gate that passes sign(∂L/∂W) only on batches whose loss is
// above its running mean, and plots test accuracy against p. Run it with
//
//	go run ./examples/polarity_sweep               # 12,000 MNIST images
//	GHLSIM_SMOKE=1 go run ./examples/polarity_sweep  # synthetic data, seconds
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/datasets"
	"ghlsim/network"
	"ghlsim/neuromod"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// surprise is the script's own source: M = sign(∂L/∂W) when the batch loss
// is above its running mean (a worse-than-expected batch), else M = 0.
type surprise struct{ mean float64 }

func (s *surprise) Name() string { return "surprise" }

func (s *surprise) Modulate(b backends.Backend, in neuromod.Inputs, m backends.Tensor) {
	if in.Step == 0 {
		s.mean = in.Loss
	}
	b.Sign(m, in.Grad)
	if in.Loss < s.mean { // better than expected: no plasticity signal
		b.Fill(m, 0)
	}
	s.mean += 0.1 * (in.Loss - s.mean) // running mean over about 10 steps
}

func main() {
	// Registered by name, the source composes with the library's wrappers: "flip:0.2+surprise".
	neuromod.Register("surprise", "sign(∂L/∂W) on batches with above-average loss",
		func(backends.Backend, backends.Shape, string) (neuromod.Source, error) { return &surprise{}, nil })
	svg := filepath.Join("runs", "polarity_sweep", "polarity_sweep.svg") // git ignores runs/
	check(os.MkdirAll(filepath.Dir(svg), 0o755))
	train, test := data()
	pts := map[string]plotter.XYs{}
	for _, base := range []string{"grad-sign", "surprise"} {
		for _, p := range []float64{0, 0.2, 0.5} {
			acc := run(train, test, fmt.Sprintf("flip:%g+%s", p, base))
			fmt.Printf("flip:%-3g + %-9s test accuracy %5.1f %%\n", p, base, acc)
			pts[base] = append(pts[base], plotter.XY{X: p, Y: acc})
		}
	}
	pl := plot.New()
	pl.Title.Text = fmt.Sprintf("GHL, %s (%d training images)", train.Name, train.Len())
	pl.X.Label.Text, pl.Y.Label.Text = "flip probability p", "test accuracy (%)"
	pl.Y.Min, pl.Y.Max, pl.Legend.Left = 0, 100, true // chance is 10 %
	check(plotutil.AddLinePoints(pl, "M = sign(∂L/∂W)", pts["grad-sign"], "surprise-gated", pts["surprise"]))
	check(pl.Save(5*vg.Inch, 3.5*vg.Inch, svg))
	fmt.Println("polarity sweep done: 6 settings, plot", svg)
}

// data is 12,000 MNIST training and 2,000 test images (smoke: 768 synthetic ones, split 2:1).
func data() (train, test *datasets.Set) {
	if os.Getenv("GHLSIM_SMOKE") == "1" { // ci: smoke output contains "polarity sweep done"
		train, test, err := datasets.Split(datasets.Synthetic(768, 1, 28, 28, 10, 1), 1.0/3, 1)
		check(err)
		return train, test
	}
	train, test, err := datasets.LoadMNIST("")
	check(err)
	return datasets.Head(train, 12000), datasets.Head(test, 2000)
}

// run trains a small GHL network (two conv layers, a BP readout) for one
// epoch with modulator spec and returns its test accuracy in percent.
func run(train, test *datasets.Set, spec string) float64 {
	const batch = 32
	n := network.New(cpu.New(2), batch, 1)
	h := n.BatchNorm(n.Input(1, 28, 28), "bn1", false)
	for i, k := range []int{16, 32} {
		h = n.Conv(h, network.ConvSpec{Name: fmt.Sprintf("conv%d", i+1), Out: k, Kernel: 5, Pad: 2, TInv: 1})
		h = n.Act(h, fmt.Sprintf("act%d", i+1), backends.ActParams{Kind: backends.ReLU})
		h = n.MaxPool(h, fmt.Sprintf("pool%d", i+1), backends.PoolParams{Kernel: 2})
	}
	n.Dense(n.Flatten(h, "flat"), network.DenseSpec{Name: "fc", Out: 10, Bias: true, Init: network.InitUniform, Role: network.Readout})
	check(n.Build(network.Rules{Hidden: "ghl", Modulator: spec}))
	hyper := network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-2}
	hyper.HiddenOpt.Kind, hyper.ReadoutOpt.Kind, hyper.ReadoutOpt.Momentum = "sgd", "sgd", 0.9
	correct := 0
	for _, set := range []*datasets.Set{train, test} { // one epoch of training, then the test set
		l, err := datasets.NewLoader(set, datasets.LoaderConfig{Batch: batch, Shuffle: set == train, Mean: []float32{0.1307}, Std: []float32{0.3081}, DropLast: true})
		check(err)
		l.Start(0, 0)
		for b, ok := l.Next(); ok; b, ok = l.Next() {
			if set == train {
				_, err = n.TrainStep(b.X, b.Y, hyper)
				check(err)
			} else {
				_, c := n.Evaluate(b.X, b.Y, b.N)
				correct += c
			}
		}
		l.Close()
	}
	return 100 * float64(correct) / float64(test.Len()/batch*batch)
}

func check(err error) {
	if err != nil {
		log.Fatal("polarity_sweep: ", err)
	}
}
