package network

// Loss runs the forward pass in training mode (batch statistics, this
// step's dropout mask) and returns the mean loss, changing no weights.
// Running BN statistics are updated as in any training-mode forward pass.
func (n *Network) Loss(x []float32, labels []int32) float64 {
	n.B.Upload(n.InPop.Act, x)
	for _, o := range n.ops {
		o.forward(n, true)
	}
	loss, _ := n.B.SoftmaxCrossEntropy(nil, n.Logits.Act, labels)
	return loss
}

// Gradients runs forward, loss and credit phases on a batch and leaves
// ∂L/∂W in every group's Weight.Grad (and BN affine gradients), without
// plasticity and without advancing the step: the gradient the paper's
// modulator would see for this batch.
func (n *Network) Gradients(x []float32, labels []int32) float64 {
	n.B.Upload(n.InPop.Act, x)
	for _, o := range n.ops {
		o.forward(n, true)
	}
	loss, _ := n.B.SoftmaxCrossEntropy(n.Logits.Grad, n.Logits.Act, labels)
	n.creditPhase(n.credit)
	return loss
}
