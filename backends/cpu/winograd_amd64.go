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
