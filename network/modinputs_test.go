package network_test

import (
	"math"
	"slices"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/network"
	"ghlsim/neuromod"
)

// spySeen is what the spy source saw at one broadcast.
type spySeen struct {
	group         string
	step, correct int
	loss          float64
	labels, pred  []int32
	sampleLoss    []float32
	timeMS        float64
}

// spyLog collects what every spy source saw (tests reset it).
var spyLog []spySeen

// spySource is a script-style custom source: M = sign(∂L/∂W), and a copy
// of the step's loss, labels and predictions kept for the test.
type spySource struct{}

func (spySource) Name() string { return "test-spy" }

func (spySource) Modulate(b backends.Backend, in neuromod.Inputs, m backends.Tensor) {
	spyLog = append(spyLog, spySeen{group: in.Group, step: in.Step, correct: in.Correct, loss: in.Loss,
		labels: slices.Clone(in.Labels), pred: slices.Clone(in.Predictions), sampleLoss: slices.Clone(in.SampleLoss), timeMS: in.TimeMS})
	b.Sign(m, in.Grad)
}

func init() {
	neuromod.Register("test-spy", "test source recording its inputs", func(b backends.Backend, w backends.Shape, param string) (neuromod.Source, error) {
		return spySource{}, nil
	})
}

// TestCustomSourceSeesLossLabelsAndStep: a source defined outside the
// library (registered by name, and wrapped by flip) reads, at every
// broadcast, the step number, the batch's mean loss and correct count as
// TrainStep reports them, the labels it was given, and per-sample
// predictions and losses consistent with the step's logits.
func TestCustomSourceSeesLossLabelsAndStep(t *testing.T) {
	for _, spec := range []string{"test-spy", "flip:0.5+test-spy"} {
		b := cpu.New(1)
		n := tinyNetMod(t, b, "ghl", spec, 3)
		h := network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}
		spyLog = nil
		for k := 0; k < 3; k++ {
			x, y := batch(uint64(10+k), 4, 72, 3)
			st, err := n.TrainStep(x, y, h)
			if err != nil {
				t.Fatal(err)
			}
			logits := make([]float32, n.Logits.Shape.Len())
			b.Download(logits, n.Logits.Act)
			seen := spyLog
			spyLog = nil
			if len(seen) != 2 { // conv1 and conv2 subscribe
				t.Fatalf("%s step %d: the source ran %d times, want once per hidden group (2)", spec, k, len(seen))
			}
			for _, s := range seen {
				if s.step != k || st.Step != k {
					t.Errorf("%s %s: Inputs.Step %d at step %d", spec, s.group, s.step, k)
				}
				if s.loss != st.Loss || s.correct != st.Correct {
					t.Errorf("%s %s step %d: Inputs.Loss %v, Correct %d; the step reported %v, %d", spec, s.group, k, s.loss, s.correct, st.Loss, st.Correct)
				}
				if !slices.Equal(s.labels, y) {
					t.Errorf("%s %s step %d: Inputs.Labels %v, want %v", spec, s.group, k, s.labels, y)
				}
				if s.timeMS != 0 {
					t.Errorf("%s %s: Inputs.TimeMS %v outside simulated time, want 0", spec, s.group, s.timeMS)
				}
				if len(s.pred) != 4 || len(s.sampleLoss) != 4 {
					t.Fatalf("%s %s: %d predictions and %d sample losses for a batch of 4", spec, s.group, len(s.pred), len(s.sampleLoss))
				}
				right, mean := 0, 0.0
				for i, p := range s.pred {
					row := logits[i*3 : i*3+3]
					if want := int32(slices.Index(row, slices.Max(row))); p != want {
						t.Errorf("%s %s sample %d: prediction %d, the logits' argmax is %d", spec, s.group, i, p, want)
					}
					if p == y[i] {
						right++
					}
					mean += float64(s.sampleLoss[i]) / 4
				}
				if right != st.Correct || math.Abs(mean-st.Loss) > 1e-5*math.Max(1, st.Loss) {
					t.Errorf("%s %s step %d: predictions give %d correct and sample losses a mean of %v; the step reported %d and %v", spec, s.group, k, right, mean, st.Correct, st.Loss)
				}
			}
		}
	}
}

// TestCustomSourceStepAllocatesNothing: filling the new inputs (loss,
// labels, predictions, sample losses) keeps the training step free of heap
// allocations for a source that reads them without keeping them.
func TestCustomSourceStepAllocatesNothing(t *testing.T) {
	n := tinyNetMod(t, cpu.New(1), "ghl", "flip:0.2+test-reader", 1)
	x, y := batch(3, 4, 72, 3)
	h := network.Hyper{HiddenLR: 0.01, ReadoutLR: 0.01}
	for i := 0; i < 3; i++ {
		if _, err := n.TrainStep(x, y, h); err != nil {
			t.Fatal(err)
		}
	}
	if allocs := testing.AllocsPerRun(5, func() {
		if _, err := n.TrainStep(x, y, h); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("%.1f allocations per step", allocs)
	}
	if readerSum == 0 {
		t.Error("the reader source saw no loss")
	}
}

// readerSum accumulates what readerSource read, so the reads are not
// optimised away.
var readerSum float64

// readerSource reads every new input and delivers sign(∂L/∂W).
type readerSource struct{}

func (readerSource) Name() string { return "test-reader" }

func (readerSource) Modulate(b backends.Backend, in neuromod.Inputs, m backends.Tensor) {
	readerSum += in.Loss + float64(in.Correct+in.Step) + in.TimeMS
	for i, l := range in.Labels {
		readerSum += float64(l-in.Predictions[i]) + float64(in.SampleLoss[i])
	}
	b.Sign(m, in.Grad)
}

func init() {
	neuromod.Register("test-reader", "test source reading every input", func(b backends.Backend, w backends.Shape, param string) (neuromod.Source, error) {
		return readerSource{}, nil
	})
}
