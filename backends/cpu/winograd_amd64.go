//go:build amd64 && !purego

package cpu

import "golang.org/x/sys/cpu"

// winoAsm reports whether the AVX2 Winograd transform kernels run; tests
// turn it off to compare them with the portable loops, which they match
// bit for bit (both are the same sequence of float32 additions,
// subtractions and sign flips).
var winoAsm = cpu.X86.HasAVX2

// winoOutGradAVX2 transforms n groups of 8 output-side 2×2 tiles, Z = A g Aᵀ
// (winograd_amd64.s). Group k reads the tiles whose top-left values are the
// even columns of a + k·step (tiles 0–3) and a + k·step + hi (tiles 4–7),
// their second rows wo floats below, and writes the 16 transformed values
// of its tiles to z + ξ·xs + 8k.
//
//go:noescape
func winoOutGradAVX2(n int, a *float32, wo, hi, step int, z *float32, xs int)

// winoOutputAVX2 transforms n groups of 8 tiles back to 2×2 output tiles,
// Y = Aᵀ M A + bias (winograd_amd64.s). Group k reads the 16 streams at
// m + ξ·xs + 8k and writes tiles 0–3 interleaved into the 8 floats at
// y + k·step, tiles 4–7 at y + k·step + hi, their second rows wo floats
// below.
//
//go:noescape
func winoOutputAVX2(n int, m *float32, xs int, y *float32, wo, hi, step int, bias float32)

// winoInputAVX2 transforms n groups of 8 input tiles, V = Bᵀ d B
// (winograd_amd64.s), from a padded plane with rows pw floats apart. Group
// k's tiles 0–3 have their top-left corners at the even columns of
// src + k·step, tiles 4–7 at src + k·step + hi; it writes the 16
// transformed values of its tiles to z + ξ·xs + 8k.
//
//go:noescape
func winoInputAVX2(n int, src *float32, pw, hi, step int, z *float32, xs int)

// outputGradsAVX2 is outputGrads by the AVX2 kernel, for even extents
// with 8 tiles per vector: a tile row of 16·k columns, or two tile rows of
// an 8-column plane.
func (t *winoTask) outputGradsAVX2(s, blk int) {
	g := &t.g
	Wo, xi := g.Wo, t.lay.xi
	for r := blk * t.cb; r < min(t.m, (blk+1)*t.cb); r++ {
		src := t.src[s*t.sampleLD+r*t.rowLD:][:g.P]
		z := t.dst[r*t.lay.row+s*g.tp:][:15*xi+g.tp] // every stream in bounds
		if Wo == 8 {
			winoOutGradAVX2(g.th/2, &src[0], Wo, 2*Wo, 4*Wo, &z[0], xi)
			continue
		}
		for ty := 0; ty < g.th; ty++ {
			winoOutGradAVX2(g.tw/8, &src[2*ty*Wo], Wo, 8, 16, &z[ty*g.tw], xi)
		}
	}
}

// outputsAVX2 is outputs by the AVX2 kernel, for the extents
// outputGradsAVX2 takes.
func (t *winoTask) outputsAVX2(s, blk int) {
	g := &t.g
	K, Wo, xi := g.K, g.Wo, t.lay.xi
	for k := blk * t.cb; k < min(K, (blk+1)*t.cb); k++ {
		yp := t.dst[((t.b0+s)*K+k)*g.P : ((t.b0+s)*K+k+1)*g.P]
		var bias float32
		if t.bias != nil {
			bias = t.bias[k]
		}
		m := t.src[k*t.lay.row+s*g.tp:][:15*xi+g.tp] // every stream in bounds
		if Wo == 8 {
			winoOutputAVX2(g.th/2, &m[0], xi, &yp[0], Wo, 2*Wo, 4*Wo, bias)
			continue
		}
		for ty := 0; ty < g.th; ty++ {
			winoOutputAVX2(g.tw/8, &m[ty*g.tw], xi, &yp[2*ty*Wo], Wo, 8, 16, bias)
		}
	}
}

// inputsAVX2 transforms the tiles of sample s, channel c from the filled
// padded plane pad by the AVX2 kernel, for the extents outputGradsAVX2
// takes.
func (t *winoTask) inputsAVX2(s, c int, pad []float32) {
	g := &t.g
	pw := 2*g.tw + 2
	z := t.dst[c*t.lay.row+s*g.tp:][:15*t.lay.xi+g.tp] // every stream in bounds
	if g.Wo == 8 {
		winoInputAVX2(g.th/2, &pad[0], pw, 2*pw, 4*pw, &z[0], t.lay.xi)
		return
	}
	for ty := 0; ty < g.th; ty++ {
		winoInputAVX2(g.tw/8, &pad[2*ty*pw], pw, 8, 16, &z[ty*g.tw], t.lay.xi)
	}
}
