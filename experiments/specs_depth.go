package experiments

// table4 is Table 4: GHL with depth (VGG and CIFAR ResNets).
var table4 = &Spec{
	Name: "table4", Version: 1,
	Title:  "Table 4 — GHL with depth: VGG and CIFAR ResNets (CIFAR-10)",
	Metric: "test accuracy (%)",
	Budgets: map[string]string{
		"smoke": "synthetic data, every depth up to ResNet-1202 at reduced width for a few steps",
		"cpu":   "CIFAR-10 copy, ResNet-20/32/44/56 at width 1, 5k train / 1k test images, 4 epochs",
		"full":  "CIFAR-10 copy, VGG-11/16 and ResNet-20…1202 at width 1, 100 epochs, batch 64",
	},
	Cells: func(budget string) ([]CellSpec, error) {
		if err := checkBudget(budget); err != nil {
			return nil, err
		}
		type depth struct {
			row, arch string
			paper     *float64
			cpu       bool
		}
		all := []depth{
			{"VGG-11", "vgg11", nil, false},
			{"VGG-16", "vgg16", paper(89.48), false},
			{"ResNet-20", "resnet20", paper(86.72), true},
			{"ResNet-32", "resnet32", paper(86.86), true},
			{"ResNet-44", "resnet44", paper(87.09), true},
			{"ResNet-56", "resnet56", paper(87.17), true},
			{"ResNet-110", "resnet110", paper(87.21), false},
			{"ResNet-1202", "resnet1202", paper(86.97), false},
		}
		var out []CellSpec
		for _, d := range all {
			if budget == "cpu" && !d.cpu {
				continue
			}
			a := resnet20Row
			a.row, a.arch = d.row, d.arch
			c := budgetConfig(budget, a, "ghl")
			if budget == "smoke" {
				c.Width = 0.25
				c.TrainLimit, c.TestLimit = 48, 16
			}
			out = append(out, CellSpec{Row: d.row, Column: "GHL", Config: c, Paper: d.paper})
		}
		return out, nil
	},
	Notes: []string{
		"Every conv weight (shortcut convs included) is a GHL synapse group; BN affine parameters and the classifier learn by backprop — the paper does not say how it treats them.",
		"ResNets use shortcut option A (parameter-free, as He et al. for CIFAR); resnetN-b has 1×1 conv projections.",
		"The paper's VGG row is VGG-14/VGG-16; we provide VGG-11 and VGG-16 (no paper number for VGG-11).",
		"The paper does not publish its depth-study settings; all depths use hidden lr 1e-2, wd 5e-4, classifier lr 1e-2, cosine.",
	},
}
