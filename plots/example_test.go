package plots_test

import (
	"bytes"
	"fmt"

	"ghlsim/internal/runfiles"
	"ghlsim/plots"
)

func ExampleLearningCurves() {
	eps := []runfiles.Epoch{
		{Epoch: 1, Loss: 1.9, TrainAcc: 0.35, ValAcc: 0.33, TestAcc: 0.32},
		{Epoch: 2, Loss: 1.4, TrainAcc: 0.52, ValAcc: 0.49, TestAcc: 0.48},
		{Epoch: 3, Loss: 1.1, TrainAcc: 0.61, ValAcc: 0.57, TestAcc: 0.56},
	}
	svg, err := plots.LearningCurves([]plots.Curve{{Label: "GHL", Rule: "ghl", Epochs: eps}}, plots.DefaultStyle())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bytes.Contains(svg, []byte(`width="252pt"`)), bytes.Contains(svg, []byte(">epoch<")))
	// Output: true true
}

func ExampleRuleColor() {
	fmt.Printf("%v %v\n", plots.RuleColor("ghl"), plots.RuleColor("BP"))
	// Output: {213 94 0 255} {0 114 178 255}
}
