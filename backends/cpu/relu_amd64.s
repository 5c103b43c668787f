//go:build amd64 && !purego

#include "textflag.h"

// ReLU kernels, 32 values (four AVX2 vectors) per iteration.

// func reluAVX2(n32 int, x, y *float32)
// y[i] = max(x[i], 0) for 32·n32 values, as Go's max: −0 gives +0 and a NaN
// stays NaN (MAXPS returns its second operand, +0, for equal or unordered
// inputs; a blend puts the NaNs back).
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ n32+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	VXORPS Y15, Y15, Y15
	TESTQ CX, CX
	JEQ  done

loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMAXPS  Y15, Y0, Y4 // max(x, +0): +0 when x is −0, +0 or NaN
	VMAXPS  Y15, Y1, Y5
	VMAXPS  Y15, Y2, Y6
	VMAXPS  Y15, Y3, Y7
	VCMPPS  $3, Y0, Y0, Y8 // unordered: x is NaN
	VCMPPS  $3, Y1, Y1, Y9
	VCMPPS  $3, Y2, Y2, Y10
	VCMPPS  $3, Y3, Y3, Y11
	VBLENDVPS Y8, Y0, Y4, Y4
	VBLENDVPS Y9, Y1, Y5, Y5
	VBLENDVPS Y10, Y2, Y6, Y6
	VBLENDVPS Y11, Y3, Y7, Y7
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNE  loop

done:
	VZEROUPPER
	RET

// func reluBackwardAVX2(n32 int, x, dy, dx *float32)
// dx[i] = dy[i] where x[i] > 0 (ordered: not NaN), else +0, for 32·n32
// values — the bits the portable loop's integer mask selects.
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-32
	MOVQ n32+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ dy+16(FP), DX
	MOVQ dx+24(FP), DI
	VXORPS Y15, Y15, Y15
	TESTQ CX, CX
	JEQ  bdone

bloop:
	VCMPPS $0x11, (SI), Y15, Y0 // LT_OQ: 0 < x, false for NaN
	VCMPPS $0x11, 32(SI), Y15, Y1
	VCMPPS $0x11, 64(SI), Y15, Y2
	VCMPPS $0x11, 96(SI), Y15, Y3
	VANDPS (DX), Y0, Y0
	VANDPS 32(DX), Y1, Y1
	VANDPS 64(DX), Y2, Y2
	VANDPS 96(DX), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ CX
	JNE  bloop

bdone:
	VZEROUPPER
	RET
