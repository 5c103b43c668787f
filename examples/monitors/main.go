// Command monitors watches three synapses of a GHL network learn: a
// network.Recorder (BindsNET's Monitor) records their eligibility Ê (the
// normalised Hebbian term the rule reads), weight and modulator M, and the
// batch loss, every step of a short training run, writes them as CSV and
// plots them in stacked panels. Run it with
//
//	go run ./examples/monitors                 # 200 steps on MNIST
//	GHLSIM_SMOKE=1 go run ./examples/monitors  # 20 steps on synthetic data
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
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

func main() {
	const batch = 32
	steps, set := 200, datasets.Synthetic(20*batch, 1, 28, 28, 10, 1)
	if os.Getenv("GHLSIM_SMOKE") == "1" { // ci: smoke output contains "monitors done:"
		steps = 20
	} else {
		train, _, err := datasets.LoadMNIST("")
		check(err)
		set = datasets.Head(train, steps*batch)
	}
	// A small network: BN, two 5×5 conv layers with soft-WTA GHL, a BP readout.
	n := network.New(cpu.New(2), batch, 1)
	h := n.BatchNorm(n.Input(1, 28, 28), "bn1", false)
	for i, k := range []int{16, 32} {
		h = n.Conv(h, network.ConvSpec{Name: fmt.Sprintf("conv%d", i+1), Out: k, Kernel: 5, Pad: 2, TInv: 1})
		h = n.Act(h, fmt.Sprintf("act%d", i+1), backends.ActParams{Kind: backends.ReLU})
		h = n.MaxPool(h, fmt.Sprintf("pool%d", i+1), backends.PoolParams{Kernel: 2})
	}
	n.Dense(n.Flatten(h, "flat"), network.DenseSpec{Name: "fc", Out: 10, Bias: true, Init: network.InitUniform, Role: network.Readout})
	check(n.Build(network.Rules{Hidden: "ghl", Modulator: "grad-sign"}))

	// The recorder: every step, three conv1 synapses given as (post neuron,
	// pre position c·5·5 + i·5 + j), three variables each, and the loss.
	// Steps lets it check its memory bound now and reserve its rows.
	rec, err := network.NewRecorder(n, network.RecordOptions{Every: 1, Steps: steps})
	check(err)
	syn := [][]int{{0, 12}, {5, 7}, {11, 18}}
	vars := []string{"eligibility", "weight", "modulator"}
	for _, v := range vars {
		check(rec.AddAt("conv1", v, syn...))
	}
	check(rec.Add(network.ChannelTarget, "loss"))

	loader, err := datasets.NewLoader(set, datasets.LoaderConfig{Batch: batch, Shuffle: true, Mean: []float32{0.1307}, Std: []float32{0.3081}, DropLast: true})
	check(err)
	defer loader.Close()
	hyper := network.Hyper{HiddenLR: 1e-2, HiddenWD: 5e-2, ReadoutLR: 5e-2}
	last := func(q int) float32 { return rec.Values[len(rec.Values)-len(rec.Columns())+q] } // this step's row
	loader.Start(0, 0)
	for b, ok := loader.Next(); ok; b, ok = loader.Next() {
		st, err := n.TrainStep(b.X, b.Y, hyper, rec) // the recorder is a monitor of the step
		check(err)
		if st.Step%(steps/5) == 0 {
			fmt.Printf("step %3d  loss %.3f  synapse conv1 (0, 12): Ê %+.3f  w %+.4f  M %+.0f\n", st.Step, st.Loss, last(0), last(3), last(6))
		}
	}
	out := filepath.Join("runs", "monitors") // git ignores runs/
	check(os.MkdirAll(out, 0o755))
	csv := filepath.Join(out, "conv1_synapses.csv") // header step,conv1.eligibility[12],…
	check(rec.WriteCSV(csv))

	// One panel per variable (columns were added variable by variable), one
	// line per synapse, training step across.
	var panels [][]*plot.Plot
	for vi, v := range append(vars, "loss") {
		p := plot.New()
		p.Y.Label.Text = v
		var lines []any
		for q := vi * len(syn); q < min((vi+1)*len(syn), len(rec.Columns())); q++ {
			xy := make(plotter.XYs, len(rec.Steps))
			for r, y := range rec.Trace(q) {
				xy[r] = plotter.XY{X: float64(rec.Steps[r]), Y: float64(y)}
			}
			lines = append(lines, rec.Columns()[q], xy)
		}
		check(plotutil.AddLines(p, lines...))
		p.Y.Max, p.Legend.Top = p.Y.Max+0.8*(p.Y.Max-p.Y.Min), true // room for the legend
		panels = append(panels, []*plot.Plot{p})
	}
	panels[len(panels)-1][0].X.Label.Text = "training step"
	img := vgsvg.New(6*vg.Inch, 8*vg.Inch)
	cells := plot.Align(panels, draw.Tiles{Rows: len(panels), Cols: 1, PadY: 4, PadX: 4}, draw.New(img))
	for i := range panels {
		panels[i][0].Draw(cells[i][0])
	}
	svg := filepath.Join(out, "conv1_synapses.svg")
	f, err := os.Create(svg)
	check(err)
	_, err = img.WriteTo(f)
	check(err)
	check(f.Close())
	fmt.Printf("monitors done: %d steps × %d columns recorded, CSV %s, plot %s\n", len(rec.Steps), len(rec.Columns()), csv, svg)
}

func check(err error) {
	if err != nil {
		log.Fatal("monitors: ", err)
	}
}
