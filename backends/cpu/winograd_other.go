//go:build !amd64 || purego

package cpu

// winoAsm is false: this build has no assembly Winograd transforms.
var winoAsm = false

// winoOutGradAVX2 is never called when winoAsm is false.
func winoOutGradAVX2(n int, a *float32, wo, hi, step int, z *float32, xs int) {
	panic("cpu: no assembly Winograd transforms in this build")
}

// winoOutputAVX2 is never called when winoAsm is false.
func winoOutputAVX2(n int, m *float32, xs int, y *float32, wo, hi, step int, bias float32) {
	panic("cpu: no assembly Winograd transforms in this build")
}

// winoInputAVX2 is never called when winoAsm is false.
func winoInputAVX2(n int, src *float32, pw, hi, step int, z *float32, xs int) {
	panic("cpu: no assembly Winograd transforms in this build")
}
