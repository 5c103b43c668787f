//go:build amd64 && !purego

#include "textflag.h"

// Winograd F(2×2, 3×3) tile transforms, 8 tiles per iteration. Each
// computes exactly the float32 operations of its portable counterpart in
// winograd_task.go, in the same order, so both give bit-identical results.

DATA signbit<>+0(SB)/4, $0x80000000
GLOBL signbit<>(SB), RODATA|NOPTR, $4

// EVENODD(lo, hi, ev, od) splits the 16 floats lo:hi (tiles 0–3 in lo,
// 4–7 in hi) into their even and odd elements, in tile order.
#define EVENODD(lo, hi, ev, od) \
	VSHUFPS $0x88, hi, lo, ev \
	VSHUFPS $0xDD, hi, lo, od \
	VPERMPD $0xD8, ev, ev     \
	VPERMPD $0xD8, od, od

// A4STORE(c0, c1, base) stores a4(c0, c1) = (c0, c0+c1, c0−c1, −c1) to the
// four streams at base, base+xs, base+2xs, base+3xs (R11 = xs bytes,
// R12 = 3·xs bytes), using Y0 as scratch.
#define A4STORE(c0, c1, base) \
	VMOVUPS c0, (base)            \
	VADDPS  c1, c0, Y0            \
	VMOVUPS Y0, (base)(R11*1)     \
	VSUBPS  c1, c0, Y0            \
	VMOVUPS Y0, (base)(R11*2)     \
	VXORPS  Y15, c1, Y0           \
	VMOVUPS Y0, (base)(R12*1)

// func winoOutGradAVX2(n int, a *float32, wo, hi, step int, z *float32, xs int)
TEXT ·winoOutGradAVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE  done
	MOVQ a+8(FP), SI
	MOVQ wo+16(FP), R8
	SHLQ $2, R8
	MOVQ hi+24(FP), R9
	SHLQ $2, R9
	MOVQ step+32(FP), R10
	SHLQ $2, R10
	MOVQ z+40(FP), DX
	MOVQ xs+48(FP), R11
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R12
	LEAQ (DX)(R11*4), R13
	LEAQ (R13)(R11*4), R14
	LEAQ (R14)(R11*4), R15
	VBROADCASTSS signbit<>(SB), Y15

loop:
	LEAQ    (SI)(R8*1), DI
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R9*1), Y1
	EVENODD(Y0, Y1, Y2, Y3)      // Y2 = a[j], Y3 = a[j+1]
	VMOVUPS (DI), Y0
	VMOVUPS (DI)(R9*1), Y1
	EVENODD(Y0, Y1, Y4, Y5)      // Y4 = b[j], Y5 = b[j+1]

	// A g by columns: a4(a[j], b[j]) → Y2, Y6, Y7, Y8;
	// a4(a[j+1], b[j+1]) → Y3, Y9, Y10, Y11.
	VADDPS Y4, Y2, Y6
	VSUBPS Y4, Y2, Y7
	VXORPS Y15, Y4, Y8
	VADDPS Y5, Y3, Y9
	VSUBPS Y5, Y3, Y10
	VXORPS Y15, Y5, Y11

	// Aᵀ by rows: row i of the tile is a4(ci0, ci1).
	A4STORE(Y2, Y3, DX)
	A4STORE(Y6, Y9, R13)
	A4STORE(Y7, Y10, R14)
	A4STORE(Y8, Y11, R15)

	ADDQ $32, DX
	ADDQ $32, R13
	ADDQ $32, R14
	ADDQ $32, R15
	ADDQ R10, SI
	DECQ CX
	JNZ  loop
	VZEROUPPER

done:
	RET

// AT4(a, b, c, d, p, q) computes at4(a, b, c, d) = ((a+b)+c, (b−c)−d)
// into p and q from four loaded vectors.
#define AT4(a, b, c, d, p, q) \
	VADDPS b, a, p \
	VADDPS c, p, p \
	VSUBPS c, b, q \
	VSUBPS d, q, q

// func winoOutputAVX2(n int, m *float32, xs int, y *float32, wo, hi, step int, bias float32)
TEXT ·winoOutputAVX2(SB), NOSPLIT, $0-60
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE  outdone
	MOVQ m+8(FP), DX
	MOVQ xs+16(FP), R11
	SHLQ $2, R11
	MOVQ y+24(FP), DI
	MOVQ wo+32(FP), R8
	SHLQ $2, R8
	MOVQ hi+40(FP), R9
	SHLQ $2, R9
	MOVQ step+48(FP), R10
	SHLQ $2, R10
	VBROADCASTSS bias+56(FP), Y14
	LEAQ (R11)(R11*2), R12
	LEAQ (DX)(R11*4), R13
	LEAQ (R13)(R11*4), R14
	LEAQ (R14)(R11*4), R15

outloop:
	// Aᵀ m by columns: column j is streams j, 4+j, 8+j, 12+j.
	VMOVUPS (DX), Y0
	VMOVUPS (R13), Y1
	VMOVUPS (R14), Y2
	VMOVUPS (R15), Y3
	AT4(Y0, Y1, Y2, Y3, Y4, Y8)          // p0, q0
	VMOVUPS (DX)(R11*1), Y0
	VMOVUPS (R13)(R11*1), Y1
	VMOVUPS (R14)(R11*1), Y2
	VMOVUPS (R15)(R11*1), Y3
	AT4(Y0, Y1, Y2, Y3, Y5, Y9)          // p1, q1
	VMOVUPS (DX)(R11*2), Y0
	VMOVUPS (R13)(R11*2), Y1
	VMOVUPS (R14)(R11*2), Y2
	VMOVUPS (R15)(R11*2), Y3
	AT4(Y0, Y1, Y2, Y3, Y6, Y10)         // p2, q2
	VMOVUPS (DX)(R12*1), Y0
	VMOVUPS (R13)(R12*1), Y1
	VMOVUPS (R14)(R12*1), Y2
	VMOVUPS (R15)(R12*1), Y3
	AT4(Y0, Y1, Y2, Y3, Y7, Y11)         // p3, q3

	// A by rows, plus the bias: y00, y01 from p; y10, y11 from q.
	AT4(Y4, Y5, Y6, Y7, Y0, Y1)
	AT4(Y8, Y9, Y10, Y11, Y2, Y3)
	VADDPS Y14, Y0, Y0
	VADDPS Y14, Y1, Y1
	VADDPS Y14, Y2, Y2
	VADDPS Y14, Y3, Y3

	// Interleave (y·0, y·1) pairs back into output rows: tiles 0–3 at y,
	// tiles 4–7 at y + hi; the second output row wo floats below.
	VUNPCKLPS  Y1, Y0, Y4
	VUNPCKHPS  Y1, Y0, Y5
	VPERM2F128 $0x20, Y5, Y4, Y6
	VPERM2F128 $0x31, Y5, Y4, Y7
	VMOVUPS    Y6, (DI)
	VMOVUPS    Y7, (DI)(R9*1)
	LEAQ       (DI)(R8*1), SI
	VUNPCKLPS  Y3, Y2, Y4
	VUNPCKHPS  Y3, Y2, Y5
	VPERM2F128 $0x20, Y5, Y4, Y6
	VPERM2F128 $0x31, Y5, Y4, Y7
	VMOVUPS    Y6, (SI)
	VMOVUPS    Y7, (SI)(R9*1)

	ADDQ $32, DX
	ADDQ $32, R13
	ADDQ $32, R14
	ADDQ $32, R15
	ADDQ R10, DI
	DECQ CX
	JNZ  outloop
	VZEROUPPER

outdone:
	RET
