//go:build !amd64 || purego

package cpu

// winoAsm is false: this build has no assembly Winograd transforms, and the
// methods below are never called.
var winoAsm = false

func (t *winoTask) outputGradsAVX2(s, blk int)         { panic(noWinoAsm) }
func (t *winoTask) outputsAVX2(s, blk int)             { panic(noWinoAsm) }
func (t *winoTask) inputsAVX2(s, c int, pad []float32) { panic(noWinoAsm) }

const noWinoAsm = "cpu: no assembly Winograd transforms in this build"
