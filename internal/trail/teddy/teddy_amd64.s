#include "textflag.h"

// func indexAVX2(buf []byte, t *Table) int
//
// The Teddy idea (from Hyperscan): a byte b is the p-th byte of needle k
// when bit k is set in both t.lo[p][b&15] and t.hi[p][b>>4], and with one
// needle per bit that holds for exactly the needle's byte (or every byte,
// for the third byte of a two-byte needle). Per block of 32 positions,
// VPSHUFB looks the 32 nibbles up in the 16-entry tables at once; the and
// of the three positions' lookups is non-zero where a needle's first
// three bytes start. The last block overlaps the one before so that every
// position up to len-3 is compared (a position's result does not depend
// on its block).
TEXT ·indexAVX2(SB), NOSPLIT, $0-40
	MOVQ buf_base+0(FP), SI
	MOVQ buf_len+8(FP), BX
	MOVQ t+24(FP), DI
	VBROADCASTI128 0(DI), Y6   // lo[0]
	VBROADCASTI128 16(DI), Y7  // lo[1]
	VBROADCASTI128 32(DI), Y8  // lo[2]
	VBROADCASTI128 48(DI), Y9  // hi[0]
	VBROADCASTI128 64(DI), Y10 // hi[1]
	VBROADCASTI128 80(DI), Y11 // hi[2]
	MOVL $0x0f0f0f0f, R8
	MOVQ R8, X12
	VPBROADCASTD X12, Y12      // low nibble mask
	VPXOR Y13, Y13, Y13
	MOVQ BX, R9
	SUBQ $34, R9               // the last block starts at len-34
	XORQ AX, AX

loop:
	CMPQ AX, R9
	JGT  last

block:
	VMOVDQU (SI)(AX*1), Y0
	VPSRLW  $4, Y0, Y1
	VPAND   Y12, Y0, Y0
	VPAND   Y12, Y1, Y1
	VPSHUFB Y0, Y6, Y0
	VPSHUFB Y1, Y9, Y1
	VPAND   Y1, Y0, Y3

	VMOVDQU 1(SI)(AX*1), Y0
	VPSRLW  $4, Y0, Y1
	VPAND   Y12, Y0, Y0
	VPAND   Y12, Y1, Y1
	VPSHUFB Y0, Y7, Y0
	VPSHUFB Y1, Y10, Y1
	VPAND   Y1, Y0, Y0
	VPAND   Y0, Y3, Y3

	VMOVDQU 2(SI)(AX*1), Y0
	VPSRLW  $4, Y0, Y1
	VPAND   Y12, Y0, Y0
	VPAND   Y12, Y1, Y1
	VPSHUFB Y0, Y8, Y0
	VPSHUFB Y1, Y11, Y1
	VPAND   Y1, Y0, Y0
	VPAND   Y0, Y3, Y3

	VPCMPEQB  Y13, Y3, Y3
	VPMOVMSKB Y3, DX
	NOTL      DX
	TESTL     DX, DX
	JNZ       found
	ADDQ      $32, AX
	JMP       loop

last:
	// Positions AX..len-3 are left when AX <= len-3: one more block, at
	// len-34 (AX > len-34 here, so this runs once).
	LEAQ 31(R9), R12
	CMPQ AX, R12
	JGT  none
	MOVQ R9, AX
	MOVQ $-1, R9               // stop after this block
	JMP  block

found:
	BSFL DX, DX
	ADDQ DX, AX
	VZEROUPPER
	MOVQ AX, ret+32(FP)
	RET

none:
	VZEROUPPER
	MOVQ $-1, ret+32(FP)
	RET
