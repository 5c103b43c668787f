package network

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/synapse"
)

// resNetParams is the parameter count of a CIFAR ResNet with n blocks per
// stage at Width 1 and 10 classes (He et al. 2016 §4.2): stem conv + BN,
// stage s has n blocks of two 3×3 convs and two affine BNs, the first block
// of stages 2 and 3 widening from the previous stage; option B adds a 1×1
// conv + BN on those two blocks; then the 64→10 classifier with bias.
func resNetParams(n int, optionB bool) int {
	p := 3*16*9 + 2*16
	p += n * (2*16*16*9 + 4*16)
	p += (16*32*9 + 32*32*9 + 4*32) + (n-1)*(2*32*32*9+4*32)
	p += (32*64*9 + 64*64*9 + 4*64) + (n-1)*(2*64*64*9+4*64)
	if optionB {
		p += (16*32 + 2*32) + (32*64 + 2*64)
	}
	return p + 64*10 + 10
}

// TestArchParamCounts builds every new architecture at width 1 for 32×32×3
// inputs and 10 classes and checks its parameter count, its logits shape and
// its parameter groups: every conv is a Hidden synapse group, only the
// classifier(s) are Readout groups.
func TestArchParamCounts(t *testing.T) {
	want := map[string]int{
		// ALGORITHM.md §5: convs 3→96 k5, 96→128, 128→192, 192→256 k3 (no
		// bias); fc5 2304→4096 + bias; bn5 γ, β; classifier 4096→10 + bias.
		"fasthebb": 96*3*25 + 128*96*9 + 192*128*9 + 256*192*9 + (2304*4096 + 4096) + 2*4096 + (4096*10 + 10),
		// Config A: 3×3 convs without bias, 2 BN parameters per channel,
		// classifier 512→10 + bias.
		"vgg11": 3*64*9 + 64*128*9 + 128*256*9 + 256*256*9 + 256*512*9 + 3*512*512*9 +
			2*(64+128+256+256+512*4) + 512*10 + 10,
		// Config D.
		"vgg16": 3*64*9 + 64*64*9 + 64*128*9 + 128*128*9 + 128*256*9 + 2*256*256*9 + 256*512*9 + 5*512*512*9 +
			2*(2*64+2*128+3*256+6*512) + 512*10 + 10,
	}
	for _, d := range resNetDepths {
		name := "resnet" + strconv.Itoa(d.depth)
		want[name] = resNetParams(d.blocks, false)
		want[name+"-b"] = resNetParams(d.blocks, true)
	}
	// He et al. Table 6: 0.27 M, 0.46 M, 0.66 M, 0.85 M, 1.7 M, 19.4 M,
	// to the half unit of the last printed digit.
	for name, m := range map[string][2]float64{"resnet20": {0.27, 0.005}, "resnet32": {0.46, 0.005}, "resnet44": {0.66, 0.005},
		"resnet56": {0.85, 0.005}, "resnet110": {1.7, 0.05}, "resnet1202": {19.4, 0.05}} {
		if got := float64(want[name]) / 1e6; math.Abs(got-m[0]) > m[1] {
			t.Errorf("%s formula gives %.3f M parameters, the paper %.2f M", name, got, m[0])
		}
	}
	if want["resnet20"] != 269722 || want["vgg16"] != 14724042 {
		t.Errorf("resnet20 %d, vgg16 %d parameters: want 269722 and 14724042", want["resnet20"], want["vgg16"])
	}
	b := cpu.New(1)
	for name, w := range want {
		n := New(b, 1, 1)
		if err := BuildArch(n, name, ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 1}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := 0
		for _, p := range n.Params() {
			got += p.Value.Shape().Len()
		}
		if got != w {
			t.Errorf("%s has %d parameters, want %d", name, got, w)
		}
		for i, g := range n.Groups {
			if (g.Kind == synapse.Conv) != (n.Roles[i] == Hidden) {
				t.Errorf("%s: group %s (kind %d) has role %d", name, g.Name, g.Kind, n.Roles[i])
			}
		}
		if strings.HasPrefix(name, "resnet1202") {
			continue // 19.4 M parameters and 1202 layers of activity: built below at width 0.25
		}
		if err := n.Build(Rules{Hidden: "ghl"}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !n.Logits.Shape.Equal(backends.Shape{1, 10}) {
			t.Errorf("%s: logits %v", name, n.Logits.Shape)
		}
	}
}

// TestArchInputSizes checks shapes for other inputs and the clear errors.
func TestArchInputSizes(t *testing.T) {
	b := cpu.New(1)
	// FastHebb on 28×28×1: 24 → 12 → 10 → 8 → 4 → 2, flatten 256·2·2.
	n := New(b, 2, 1)
	if err := BuildArch(n, "fasthebb", ArchOptions{C: 1, H: 28, W: 28, Classes: 10, Width: 1}); err != nil {
		t.Fatal(err)
	}
	if g := n.Groups[4]; g.Name != "fc5" || g.In != 256*2*2 {
		t.Errorf("fasthebb on 28×28: group %s reads %d inputs, want fc5 reading 1024", g.Name, g.In)
	}
	if fastHebbExtent(24) != 1 || fastHebbExtent(23) > 0 || fastHebbExtent(32) != 3 {
		t.Errorf("fasthebb extents 24→%d 23→%d 32→%d, want 1, 0, 3", fastHebbExtent(24), fastHebbExtent(23), fastHebbExtent(32))
	}
	errs := []struct {
		arch string
		o    ArchOptions
		says string
	}{
		{"fasthebb", ArchOptions{C: 3, H: 23, W: 32, Classes: 10, Width: 1}, "at least 24×24"},
		{"vgg16", ArchOptions{C: 3, H: 16, W: 16, Classes: 10, Width: 1}, "at least 32×32"},
		{"resnet20", ArchOptions{C: 3, H: 32, W: 28, Classes: 10, Width: 1}, "square"},
		{"resnet20", ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.01}, "0 channels"},
		{"vgg11", ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.005}, "0 channels"},
		{"fasthebb", ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.004}, "0 channels"},
	}
	for _, e := range errs {
		err := BuildArch(New(b, 2, 1), e.arch, e.o)
		if err == nil || !strings.Contains(err.Error(), e.says) {
			t.Errorf("%s %+v: error %v, want one saying %q", e.arch, e.o, err, e.says)
		}
	}
	// ResNet on 16×16: 16 → 8 → 4, a 4×4 global average pool.
	n = New(b, 2, 1)
	if err := BuildArch(n, "resnet20-b", ArchOptions{C: 3, H: 16, W: 16, Classes: 7, Width: 0.5}); err != nil {
		t.Fatal(err)
	}
	if err := n.Build(Rules{Hidden: "ghl"}); err != nil {
		t.Fatal(err)
	}
	if !n.Logits.Shape.Equal(backends.Shape{2, 7}) {
		t.Errorf("resnet20-b on 16×16: logits %v", n.Logits.Shape)
	}
}

// TestResNet1202TrainStep builds the deepest ResNet at width 0.25 (4/8/16
// channels) and runs one GHL step on a batch of 2.
func TestResNet1202TrainStep(t *testing.T) {
	b := cpu.New(2)
	n := New(b, 2, 5)
	if err := BuildArch(n, "resnet1202", ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.25}); err != nil {
		t.Fatal(err)
	}
	if err := n.Build(Rules{Hidden: "ghl"}); err != nil {
		t.Fatal(err)
	}
	if len(n.Groups) != 1202 { // 1201 convs + fc, option A has no shortcut convs
		t.Errorf("resnet1202 has %d synapse groups, want 1202", len(n.Groups))
	}
	first, last := n.Groups[0], n.Groups[len(n.Groups)-2]
	w0 := append([]float32(nil), cpu.Data(first.Weight.Value)...)
	wl := append([]float32(nil), cpu.Data(last.Weight.Value)...)
	x, y := archBatch(1, 2, 3*32*32, 10)
	st, err := n.TrainStep(x, y, Hyper{HiddenLR: 0.01, HiddenWD: 5e-2, ReadoutLR: 5e-3, ReadoutOpt: synapse.PlainSGD})
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(st.Loss) || st.Loss <= 0 {
		t.Errorf("loss %v", st.Loss)
	}
	if err := n.CheckFinite(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		g  *synapse.Group
		w0 []float32
	}{{first, w0}, {last, wl}} {
		moved := 0
		for i, v := range cpu.Data(c.g.Weight.Value) {
			if v != c.w0[i] {
				moved++
			}
		}
		if moved == 0 {
			t.Errorf("%s did not learn", c.g.Name)
		}
	}
}

func archBatch(seed uint64, n, feat, classes int) ([]float32, []int32) {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n*feat)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	y := make([]int32, n)
	for i := range y {
		y[i] = int32(r.IntN(classes))
	}
	return x, y
}

// TestPadShortcutForward checks option A's values: y[b, lo+c, i, j] =
// x[b, c, 2i, 2j] with lo = (out − C)/2, zeros elsewhere.
func TestPadShortcutForward(t *testing.T) {
	b := cpu.New(1)
	n := New(b, 2, 1)
	x := n.Input(2, 5, 5)
	s := n.PadShortcut(x, "shortcut", 5, 2)
	n.Dense(n.Flatten(s, "flat"), DenseSpec{Name: "fc", Out: 2, Role: Readout})
	if err := n.Build(Rules{Hidden: "ghl"}); err != nil {
		t.Fatal(err)
	}
	if !s.Shape.Equal(backends.Shape{2, 5, 3, 3}) {
		t.Fatalf("shortcut shape %v, want [2 5 3 3]", s.Shape)
	}
	in, lab := archBatch(3, 2, 2*5*5, 2)
	n.Loss(in, lab)
	out := cpu.Data(s.Act)
	for bb := 0; bb < 2; bb++ {
		for k := 0; k < 5; k++ {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					var want float32 // lo = (5−2)/2 = 1: channels 1, 2 carry x
					if c := k - 1; c >= 0 && c < 2 {
						want = in[((bb*2+c)*5+2*i)*5+2*j]
					}
					if got := out[((bb*5+k)*3+i)*3+j]; got != want {
						t.Errorf("y[%d,%d,%d,%d] = %v, want %v", bb, k, i, j, got, want)
					}
				}
			}
		}
	}
	n = New(b, 2, 1)
	n.PadShortcut(n.Input(4, 4, 4), "shrink", 2, 1)
	if n.Err() == nil {
		t.Error("a zero-padding shortcut shrinking 4 channels to 2 was accepted")
	}
}

// CheckGradient compares ∂L/∂θ of every parameter with a central finite
// difference of the loss along a random direction, per parameter tensor. It
// lives in a _test file (exported only to this package's external tests).
func CheckGradient(t *testing.T, n *Network, x []float32, y []int32) {
	t.Helper()
	n.Gradients(x, y)
	r := rand.New(rand.NewPCG(9, 9))
	nonzero := 0
	for _, p := range n.Params() {
		w := cpu.Data(p.Value)
		g := append([]float32(nil), cpu.Data(p.Grad)...)
		d := make([]float32, len(w))
		var analytic float64
		for i := range d {
			d[i] = float32(r.NormFloat64())
			analytic += float64(d[i]) * float64(g[i])
		}
		const eps = 5e-4
		orig := append([]float32(nil), w...)
		for i := range w {
			w[i] = orig[i] + eps*d[i]
		}
		lp := n.Loss(x, y)
		for i := range w {
			w[i] = orig[i] - eps*d[i]
		}
		lm := n.Loss(x, y)
		copy(w, orig)
		fd := (lp - lm) / (2 * eps)
		t.Logf("%s: analytic %.6f fd %.6f", p.Name, analytic, fd)
		if math.Abs(fd-analytic) > 2e-2*math.Max(math.Abs(analytic), 0.05) {
			t.Errorf("%s: directional derivative %.6f, finite difference %.6f", p.Name, analytic, fd)
		}
		if math.Abs(analytic) > 1e-3 {
			nonzero++
		}
	}
	if nonzero < len(n.Params())/2 {
		t.Errorf("only %d of %d parameters have a non-negligible gradient: the check is vacuous", nonzero, len(n.Params()))
	}
}

// TestResidualBlockGradient: stem conv → BN → ReLU → one basic block that
// widens 2 → 4 channels with stride 2 (so the shortcut is option A's
// zero-padding subsample or option B's 1×1 conv + BN) → global average
// pool → linear readout.
func TestResidualBlockGradient(t *testing.T) {
	for _, sc := range []Shortcut{ShortcutA, ShortcutB} {
		t.Run("option-"+sc.String(), func(t *testing.T) {
			// Seed 5 keeps every ReLU input farther than the FD step from its
			// kink (seed 3 puts one within 5e-4 for option B: the FD then
			// converges to the analytic value only for steps ≤ 2e-4).
			n := New(cpu.New(1), 4, 5)
			h := n.Input(2, 6, 6)
			h = n.Conv(h, ConvSpec{Name: "conv1", Out: 2, Kernel: 3, Pad: 1})
			h = n.BatchNorm(h, "bn1", true)
			h = n.Act(h, "relu1", backends.ActParams{Kind: backends.ReLU})
			h = n.BasicBlock(h, "layer1.0", 4, 2, sc)
			h = n.AvgPool(h, "avgpool", backends.PoolParams{Kernel: 3, Stride: 3})
			n.Dense(n.Flatten(h, "flatten"), DenseSpec{Name: "fc", Out: 3, Bias: true, Init: InitUniform, Role: Readout})
			if err := n.Build(Rules{Hidden: "bp"}); err != nil {
				t.Fatal(err)
			}
			wantGroups := 4 // conv1, block conv1, conv2, fc
			if sc == ShortcutB {
				wantGroups = 5 // + shortcut.0
			}
			if len(n.Groups) != wantGroups {
				t.Errorf("%d synapse groups, want %d", len(n.Groups), wantGroups)
			}
			x, y := archBatch(5, 4, 2*6*6, 3)
			CheckGradient(t, n, x, y)
		})
	}
}

// TestVGGBlockGradient: one VGG layer (conv3×3 → BN affine → ReLU) → 2×2
// max-pool → linear classifier.
func TestVGGBlockGradient(t *testing.T) {
	n := New(cpu.New(1), 4, 3)
	h := n.vggLayer(n.Input(3, 6, 6), 1, 4)
	h = n.MaxPool(h, "pool1", backends.PoolParams{Kernel: 2, Stride: 2})
	n.Dense(n.Flatten(h, "flatten"), DenseSpec{Name: "classifier", Out: 3, Bias: true, Init: InitUniform, Role: Readout})
	if err := n.Build(Rules{Hidden: "bp"}); err != nil {
		t.Fatal(err)
	}
	x, y := archBatch(6, 4, 3*6*6, 3)
	CheckGradient(t, n, x, y)
}

// TestFastHebbReadoutGradient: FastHebb's BP stack, Linear → ReLU →
// BN1d(affine) → Dropout 0.5 → Linear (ALGORITHM.md §5 blocks 5-6).
func TestFastHebbReadoutGradient(t *testing.T) {
	n := New(cpu.New(1), 6, 3)
	n.fastHebbReadout(n.Input(12, 0, 0), 8, 3, DefaultDropout)
	if err := n.Build(Rules{Hidden: "ghl"}); err != nil {
		t.Fatal(err)
	}
	if len(n.Params()) != 6 { // fc5 W, b; bn5 γ, β; classifier W, b
		t.Errorf("%d parameter tensors, want 6", len(n.Params()))
	}
	x, y := archBatch(7, 6, 12, 3)
	CheckGradient(t, n, x, y)
}

// TestFHRulesOnFastHebb runs the FastHebb baselines' unsupervised step on a
// small FastHebb, with the activity hook the network needs (see
// synapse.ActivityRule): forward in training mode, then ObserveActivity and
// Apply for every hidden group.
func TestFHRulesOnFastHebb(t *testing.T) {
	for _, rule := range []string{"swta-fh", "hpca-fh"} {
		b := cpu.New(2)
		n := New(b, 2, 9)
		if err := BuildArch(n, "fasthebb", ArchOptions{C: 3, H: 24, W: 24, Classes: 10, Width: 0.05}); err != nil {
			t.Fatal(err)
		}
		if err := n.Build(Rules{Hidden: rule}); err != nil {
			t.Fatal(err)
		}
		x, _ := archBatch(8, 2, 3*24*24, 10)
		b.Upload(n.InPop.Act, x)
		for _, o := range n.ops {
			o.forward(n, true)
		}
		for i, g := range n.Groups {
			if n.Roles[i] != Hidden {
				continue
			}
			w0 := append([]float32(nil), cpu.Data(g.Weight.Value)...)
			o := n.synOf[g]
			g.Rule.(synapse.ActivityRule).ObserveActivity(b, g, o.in.Act, o.out.Act)
			g.Rule.Apply(b, g, synapse.Hyper{LR: 0.01})
			moved := false
			for j, v := range cpu.Data(g.Weight.Value) {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s: %s[%d] = %v", rule, g.Name, j, v)
				}
				moved = moved || v != w0[j]
			}
			if !moved {
				t.Errorf("%s: %s did not learn", rule, g.Name)
			}
		}
	}
}
