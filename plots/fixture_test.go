package plots

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"ghlsim/experiments/runfiles"
	"ghlsim/network"
)

// fixtureEpochs returns n epochs of plausible, deterministic metrics whose
// accuracy approaches top.
func fixtureEpochs(n int, top float64, seed uint64) []runfiles.Epoch {
	rng := rand.New(rand.NewPCG(seed, 7))
	eps := make([]runfiles.Epoch, n)
	for i := range eps {
		f := 1 - math.Exp(-float64(i+1)/2.5)
		acc := 0.1 + (top-0.1)*f
		eps[i] = runfiles.Epoch{
			Epoch: i + 1, Step: (i + 1) * 100,
			Loss:     2.3*(1-f) + 0.6 + 0.02*rng.Float64(),
			TrainAcc: acc + 0.03, ValAcc: acc - 0.01 + 0.01*rng.Float64(), TestAcc: acc - 0.015 + 0.01*rng.Float64(),
			Seconds: 12.5, ImagesPerS: 510 + 10*rng.Float64(), LR: 0.01 * (1 - float64(i)/float64(n)),
		}
	}
	return eps
}

// gaborWeights returns [k, c, h, w] filters shaped like oriented, coloured
// gratings, so a receptive-field grid of them looks like a real one.
func gaborWeights(k, c, h, w int, seed uint64) network.HostTensor {
	rng := rand.New(rand.NewPCG(seed, 11))
	data := make([]float32, k*c*h*w)
	for f := 0; f < k; f++ {
		theta := math.Pi * float64(f) / float64(k)
		freq := 0.6 + 0.5*rng.Float64()
		for ch := 0; ch < c; ch++ {
			gain := 0.4 + rng.Float64()
			for i := 0; i < h; i++ {
				for j := 0; j < w; j++ {
					y, x := float64(i)-float64(h-1)/2, float64(j)-float64(w-1)/2
					env := math.Exp(-(x*x + y*y) / (0.35 * float64(h*w)))
					v := gain * env * math.Cos(freq*(x*math.Cos(theta)+y*math.Sin(theta))+float64(ch))
					data[((f*c+ch)*h+i)*w+j] = float32(v)
				}
			}
		}
	}
	return network.HostTensor{Shape: []int{k, c, h, w}, Data: data}
}

// randTensor returns a tensor of normal values with the given std.
func randTensor(seed uint64, std float64, shape ...int) network.HostTensor {
	rng := rand.New(rand.NewPCG(seed, 13))
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(rng.NormFloat64() * std)
	}
	return network.HostTensor{Shape: shape, Data: data}
}

func mustWriteJSONL[T any](t testing.TB, path string, recs []T) {
	t.Helper()
	for _, r := range recs {
		if err := runfiles.AppendJSONL(path, r); err != nil {
			t.Fatal(err)
		}
	}
}

func fixtureInfo(rule, arch string, seed uint64) runfiles.RunInfo {
	cfg, _ := json.Marshal(map[string]any{"rule": rule, "arch": arch, "epochs": 6, "batch": 64, "lr": 0.01, "weight_decay": 0.05, "t_inv": []float64{1, 0.65, 0.25}})
	return runfiles.RunInfo{
		Tool: "ghlsim", Command: fmt.Sprintf("ghl train --rule %s --arch %s --seed %d", rule, arch, seed),
		Created: "2026-01-02T03:04:05Z", Seed: seed, Backend: "cpu", Device: "2-core test CPU",
		GoVersion: "go1.26", GitRevision: "abc1234", Rule: rule, Dataset: "cifar10", Arch: arch, Config: cfg,
	}
}

// writeFixtureRun writes a complete training run into dir: config.json, six
// epochs of metrics, telemetry for three layers over 40 steps, bench.jsonl
// with two configs × two impls, and weights.safetensors with conv1.weight
// [8, 3, 5, 5], conv2.weight [16, 8, 3, 3], fc.weight [10, 64] and the
// eligibilities of both conv layers.
func writeFixtureRun(t testing.TB, dir, rule string, seed uint64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), fixtureInfo(rule, "deephebb", seed)); err != nil {
		t.Fatal(err)
	}
	mustWriteJSONL(t, filepath.Join(dir, runfiles.MetricsFile), fixtureEpochs(6, 0.78, seed))
	var tel []runfiles.Telemetry
	for step := 10; step <= 400; step += 10 {
		for l, name := range []string{"conv1", "conv2", "conv3"} {
			p := 0.5 + 0.12*math.Sin(float64(step)/60+float64(l)) - 0.03*float64(l)
			tel = append(tel, runfiles.Telemetry{Step: step, Layer: name, Potentiated: p, Depressed: 0.95 - p, Unchanged: 0.05,
				SignAgreement: 1, HebbGradAgreement: 0.5, WeightNorm: 3 + float64(l), WinnerEntropy: 1.2})
		}
	}
	mustWriteJSONL(t, filepath.Join(dir, runfiles.TelemetryFile), tel)
	mustWriteJSONL(t, filepath.Join(dir, runfiles.BenchFile), []runfiles.Bench{
		{Config: "deephebb w1.00 b64 ghl", Impl: "ghlsim/cpu", Repeats: 5, MedianS: 0.125, MinS: 0.12, MaxS: 0.14, ImagesPerS: 512, GFLOPs: 40, PeakPct: 31, RSSMB: 410},
		{Config: "deephebb w1.00 b64 ghl", Impl: "pytorch", Repeats: 5, MedianS: 0.16, MinS: 0.15, MaxS: 0.18, ImagesPerS: 400, GFLOPs: 31, PeakPct: 24, RSSMB: 900},
		{Config: "fasthebb w1.00 b64 ghl", Impl: "ghlsim/cpu", Repeats: 5, MedianS: 0.08, MinS: 0.078, MaxS: 0.09, ImagesPerS: 800, GFLOPs: 35, PeakPct: 27, RSSMB: 300},
		{Config: "fasthebb w1.00 b64 ghl", Impl: "pytorch", Repeats: 5, MedianS: 0.1, MinS: 0.095, MaxS: 0.11, ImagesPerS: 640, GFLOPs: 28, PeakPct: 22, RSSMB: 850},
	})
	w := network.SafetensorsFile{Tensors: map[string]network.HostTensor{
		"conv1.weight":      gaborWeights(8, 3, 5, 5, seed),
		"conv2.weight":      randTensor(seed+1, 0.1, 16, 8, 3, 3),
		"fc.weight":         randTensor(seed+2, 0.05, 10, 64),
		"fc.bias":           randTensor(seed+3, 0.01, 10),
		"conv1.eligibility": randTensor(seed+4, 0.3, 8, 3, 5, 5),
		"conv2.eligibility": randTensor(seed+5, 0.2, 16, 8, 3, 3),
	}, Metadata: map[string]string{"format": "pt"}}
	b, err := network.EncodeSafetensors(w)
	if err != nil {
		t.Fatal(err)
	}
	if err := runfiles.WriteFileAtomic(filepath.Join(dir, runfiles.WeightsFile), b); err != nil {
		t.Fatal(err)
	}
}

func ptr(v float64) *float64 { return &v }

// fixtureTable is an experiment table with two plain rows (architectures)
// and three rows sweeping "flip", over the columns GHL, BP and SoftHebb;
// cells names the cell directories of every entry (one per seed).
func fixtureTable(seeds int) runfiles.Table {
	cols := []struct{ name, rule string }{{"GHL", "ghl"}, {"BP", "bp"}, {"SoftHebb", "softhebb"}}
	rows := []runfiles.Row{{Name: "DeepHebb"}, {Name: "FastHebb"},
		{Name: "p=0", Param: "flip", Value: 0}, {Name: "p=0.1", Param: "flip", Value: 0.1}, {Name: "p=0.3", Param: "flip", Value: 0.3}}
	paper := map[string][]float64{"DeepHebb": {76.2, 80.1, 73.4}, "FastHebb": {77.5, 81.3, 0}}
	for i := range rows {
		for j, c := range cols {
			if rows[i].Param != "" && c.rule == "softhebb" {
				continue // the sweep has no SoftHebb column
			}
			base := 75 + 4*float64(j%2) - 3*rows[i].Value*10 + float64(i)
			cell := runfiles.Cell{Column: c.name, Rule: c.rule, N: seeds}
			var sum float64
			for s := 0; s < seeds; s++ {
				v := base + 0.3*float64(s)
				cell.Values = append(cell.Values, v)
				sum += v
				cell.Cells = append(cell.Cells, fmt.Sprintf("cells/%s-%s-s%d", slug(rows[i].Name), c.rule, s))
			}
			cell.Mean = sum / float64(seeds)
			for _, v := range cell.Values {
				cell.Std += (v - cell.Mean) * (v - cell.Mean)
			}
			cell.Std = math.Sqrt(cell.Std / float64(max(1, seeds-1)))
			if p, ok := paper[rows[i].Name]; ok && p[j] > 0 {
				cell.Paper = ptr(p[j])
			}
			rows[i].Cells = append(rows[i].Cells, cell)
		}
	}
	return runfiles.Table{Experiment: "table1", Version: 1, Budget: "smoke", Title: "CIFAR-10 test accuracy", Metric: "test accuracy (%)", Rows: rows}
}

// writeFixtureExperiment writes an experiment run into dir: config.json,
// table.json (fixtureTable with two seeds) and one cell directory per entry
// of the table with config.json and metrics.jsonl, plus one cell that has
// not started yet (empty directory).
func writeFixtureExperiment(t testing.TB, dir string) {
	t.Helper()
	tab := fixtureTable(2)
	if err := os.MkdirAll(filepath.Join(dir, runfiles.CellsDir, "zz-not-started"), 0o755); err != nil {
		t.Fatal(err)
	}
	info := fixtureInfo("ghl", "deephebb", 1)
	info.Command = "ghl run table1 --budget smoke"
	if err := runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), info); err != nil {
		t.Fatal(err)
	}
	if err := runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.TableFile), tab); err != nil {
		t.Fatal(err)
	}
	n := uint64(0)
	for _, row := range tab.Rows {
		for _, c := range row.Cells {
			for _, rel := range c.Cells {
				n++
				cd := filepath.Join(dir, rel)
				if err := os.MkdirAll(cd, 0o755); err != nil {
					t.Fatal(err)
				}
				ci := fixtureInfo(c.Rule, "deephebb", n)
				if err := runfiles.WriteJSONAtomic(filepath.Join(cd, runfiles.ConfigFile), ci); err != nil {
					t.Fatal(err)
				}
				mustWriteJSONL(t, filepath.Join(cd, runfiles.MetricsFile), fixtureEpochs(4, c.Mean/100, n))
			}
		}
	}
}

// jsonLine encodes v as one JSONL line.
func jsonLine(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(b, '\n'), err
}
